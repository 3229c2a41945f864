//! PagerDuty and Jira REST clients (the only network code).
