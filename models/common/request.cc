#include "models/common/request.h"

namespace models {

const char* failure_cause_name(FailureCause c) {
  switch (c) {
    case FailureCause::kRejected:
      return "rejected";
    case FailureCause::kTimeout:
      return "timeout";
    case FailureCause::kSiteDown:
      return "site_down";
    case FailureCause::kUnreachable:
      return "unreachable";
    case FailureCause::kNoHealthySite:
      return "no_site";
    case FailureCause::kUnavailable:
      return "unavailable";
    case FailureCause::kAborted:
      return "aborted";
    case FailureCause::kRefused:
      return "refused";
    case FailureCause::kNoPrimary:
      return "no_primary";
    case FailureCause::kPoolTimeout:
      return "pool_timeout";
    case FailureCause::kDbDown:
      return "db_down";
    case FailureCause::kCount:
      break;
  }
  return "unknown";
}

}  // namespace models
