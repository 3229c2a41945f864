//! CSV header aliasing: every export variant's column names mapped to one set of canonical
//! fields (pagerduty-formats.md §1). OWNER: csv-ingest helper.

/// The canonical incident columns a CSV export may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Number,
    Id,
    Title,
    /// Advanced Reporting's `description` is the incident title; pss-extref has both columns.
    Description,
    Service,
    ServiceId,
    EscalationPolicy,
    EscalationPolicyId,
    Team,
    Created,
    Resolved,
    Acknowledged,
    SecondsToFirstAck,
    SecondsToResolve,
    Priority,
    PriorityName,
    Severity,
    Urgency,
    Status,
    AutoResolved,
    AcknowledgedBy,
    AssignedTo,
    ResolvedBy,
    EscalationCount,
    Duration,
    Url,
    /// A Jira issue key column ("Jira Ticket ID").
    JiraKey,
    /// A Jira issue URL column ("Jira Ticket URL"); the key is taken from `/browse/KEY`.
    JiraUrl,
}

/// Normalised header → field. Headers are normalised first, so "Created At", "created_at" and
/// "CREATED-AT" all meet `created_at` here.
const ALIASES: &[(&str, Field)] = &[
    ("incident_number", Field::Number),
    ("number", Field::Number),
    ("incident_no", Field::Number),
    ("pagerduty_incident_number", Field::Number),
    ("id", Field::Id),
    ("incident_id", Field::Id),
    ("pagerduty_incident_id", Field::Id),
    ("title", Field::Title),
    ("incident_title", Field::Title),
    ("summary", Field::Title),
    ("description", Field::Description),
    ("service", Field::Service),
    ("service_name", Field::Service),
    ("service_id", Field::ServiceId),
    ("escalation_policy", Field::EscalationPolicy),
    ("escalation_policy_name", Field::EscalationPolicy),
    ("escalation_policy_id", Field::EscalationPolicyId),
    ("team", Field::Team),
    ("team_name", Field::Team),
    ("team_names", Field::Team),
    ("created", Field::Created),
    ("created_on", Field::Created),
    ("created_at", Field::Created),
    ("opened_on", Field::Created),
    ("opened_at", Field::Created),
    ("triggered_at", Field::Created),
    ("resolved", Field::Resolved),
    ("resolved_on", Field::Resolved),
    ("resolved_at", Field::Resolved),
    ("acknowledged_at", Field::Acknowledged),
    ("acknowledged_on", Field::Acknowledged),
    ("first_acknowledged_at", Field::Acknowledged),
    ("seconds_to_first_ack", Field::SecondsToFirstAck),
    ("seconds_to_ack", Field::SecondsToFirstAck),
    ("time_to_acknowledge_s", Field::SecondsToFirstAck),
    ("tta", Field::SecondsToFirstAck),
    ("seconds_to_resolve", Field::SecondsToResolve),
    ("time_to_resolve_s", Field::SecondsToResolve),
    ("ttr", Field::SecondsToResolve),
    ("priority", Field::Priority),
    ("priority_name", Field::PriorityName),
    ("severity", Field::Severity),
    ("urgency", Field::Urgency),
    ("status", Field::Status),
    ("auto_resolved", Field::AutoResolved),
    ("acknowledged_by", Field::AcknowledgedBy),
    ("acknowledged_by_user_names", Field::AcknowledgedBy),
    ("acknowledged_user_names", Field::AcknowledgedBy),
    ("assigned_to", Field::AssignedTo),
    ("assigned_to_user_names", Field::AssignedTo),
    ("assigned_user_names", Field::AssignedTo),
    ("assignee", Field::AssignedTo),
    ("assignees", Field::AssignedTo),
    ("resolved_by", Field::ResolvedBy),
    ("resolved_by_user_name", Field::ResolvedBy),
    ("resolved_by_user", Field::ResolvedBy),
    // Basic Reporting's resolver column ("Resolve By").
    ("resolve_by", Field::ResolvedBy),
    ("escalation_count", Field::EscalationCount),
    // Basic Reporting's "#Escalations".
    ("escalations", Field::EscalationCount),
    ("duration", Field::Duration),
    ("url", Field::Url),
    ("html_url", Field::Url),
    ("incident_url", Field::Url),
    ("pagerduty_incident_url", Field::Url),
    ("jira_ticket_id", Field::JiraKey),
    ("jira_key", Field::JiraKey),
    ("jira_issue", Field::JiraKey),
    ("jira_issue_key", Field::JiraKey),
    ("jira_ticket_url", Field::JiraUrl),
    ("jira_issue_url", Field::JiraUrl),
    ("jira_url", Field::JiraUrl),
];

/// Trim, strip a BOM, lower-case, collapse runs of anything but letters and digits to `_`, and
/// trim `_` (`" Created At "` → `created_at`, `#Escalations` → `escalations`).
pub fn normalise(h: &str) -> String {
    let mut out = String::with_capacity(h.len());
    for c in h.trim().trim_start_matches('\u{feff}').chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// The canonical field a header names, if any.
pub fn field(h: &str) -> Option<Field> {
    // Basic Reporting's incident-number column is "#", which normalises to nothing.
    if h.trim().trim_start_matches('\u{feff}').trim() == "#" {
        return Some(Field::Number);
    }
    let n = normalise(h);
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == n)
        .map(|(_, f)| *f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising() {
        assert_eq!(normalise(" Created At "), "created_at");
        assert_eq!(normalise("\u{feff}incident_number"), "incident_number");
        assert_eq!(
            normalise("Time to Acknowledge (s)"),
            "time_to_acknowledge_s"
        );
        assert_eq!(normalise("#Escalations"), "escalations");
        assert_eq!(normalise("__A--b  C__"), "a_b_c");
        assert_eq!(normalise("#"), "");
        assert_eq!(normalise("Größe"), "größe");
    }

    fn fields(headers: &str) -> Vec<Option<Field>> {
        headers.split(',').map(field).collect()
    }

    #[test]
    fn advanced_reporting() {
        let h = "id,incident_number,description,service_id,service_name,escalation_policy_id,\
                 escalation_policy_name,created_on,resolved_on,seconds_to_first_ack,\
                 seconds_to_resolve,auto_resolved,escalation_count,auto_escalation_count,\
                 acknowledge_count,assignment_count,acknowledged_by_user_ids,\
                 acknowledged_by_user_names,assigned_to_user_ids,assigned_to_user_names,\
                 resolved_by_user_id,resolved_by_user_name,urgency";
        use Field::*;
        let want = vec![
            Some(Id),
            Some(Number),
            Some(Description),
            Some(ServiceId),
            Some(Service),
            Some(EscalationPolicyId),
            Some(EscalationPolicy),
            Some(Created),
            Some(Resolved),
            Some(SecondsToFirstAck),
            Some(SecondsToResolve),
            Some(AutoResolved),
            Some(EscalationCount),
            None,
            None,
            None,
            None,
            Some(AcknowledgedBy),
            None,
            Some(AssignedTo),
            None,
            Some(ResolvedBy),
            Some(Urgency),
        ];
        assert_eq!(fields(h), want);
    }

    #[test]
    fn analytics() {
        let h = "incident_number,description,created_at,resolved_at,service_name,team_name,\
                 escalation_policy_name,urgency,priority_name,major,seconds_to_first_ack,\
                 seconds_to_resolve,seconds_to_engage,escalation_count,resolved_by_user_name";
        use Field::*;
        let want = vec![
            Some(Number),
            Some(Description),
            Some(Created),
            Some(Resolved),
            Some(Service),
            Some(Team),
            Some(EscalationPolicy),
            Some(Urgency),
            Some(PriorityName),
            None,
            Some(SecondsToFirstAck),
            Some(SecondsToResolve),
            None,
            Some(EscalationCount),
            Some(ResolvedBy),
        ];
        assert_eq!(fields(h), want);
    }

    #[test]
    fn title_case() {
        let h = "Incident ID,Incident Number,Title,Service,Created At,Resolved At,Priority,\
                 Urgency,Seconds To First Ack,Seconds To Resolve,Auto Resolved,Acknowledged By,\
                 Resolved By,Acknowledged At,Severity,Status,Team,Escalation Policy";
        use Field::*;
        let want = vec![
            Some(Id),
            Some(Number),
            Some(Title),
            Some(Service),
            Some(Created),
            Some(Resolved),
            Some(Priority),
            Some(Urgency),
            Some(SecondsToFirstAck),
            Some(SecondsToResolve),
            Some(AutoResolved),
            Some(AcknowledgedBy),
            Some(ResolvedBy),
            Some(Acknowledged),
            Some(Severity),
            Some(Status),
            Some(Team),
            Some(EscalationPolicy),
        ];
        assert_eq!(fields(h), want);
    }

    #[test]
    fn basic_reporting() {
        use Field::*;
        let h = "#,Service,Opened On,Resolved On,Resolve By,Duration,#Escalations";
        let want = vec![
            Some(Number),
            Some(Service),
            Some(Created),
            Some(Resolved),
            Some(ResolvedBy),
            Some(Duration),
            Some(EscalationCount),
        ];
        assert_eq!(fields(h), want);
        assert_eq!(field("\u{feff}#"), Some(Number));
        assert_eq!(field(" # "), Some(Number));
        assert_eq!(field("Resolved By User"), Some(ResolvedBy));
    }

    #[test]
    fn pss_extref() {
        use Field::*;
        let h = "PagerDuty Incident Number,Title,Description,Created At,Updated At,Status,\
                 PagerDuty Incident URL,Jira Ticket ID,Jira Ticket URL";
        let want = vec![
            Some(Number),
            Some(Title),
            Some(Description),
            Some(Created),
            None,
            Some(Status),
            Some(Url),
            Some(JiraKey),
            Some(JiraUrl),
        ];
        assert_eq!(fields(h), want);
    }

    #[test]
    fn unknown_and_empty_headers() {
        assert_eq!(field("major"), None);
        assert_eq!(field(""), None);
        assert_eq!(field("##"), None);
        assert_eq!(
            field("Time to Acknowledge (s)"),
            Some(Field::SecondsToFirstAck)
        );
        assert_eq!(field("CREATED-ON"), Some(Field::Created));
    }
}
