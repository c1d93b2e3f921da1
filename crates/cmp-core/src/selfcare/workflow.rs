//! Workflow (diary) events (SERVICES.md §5; DOMAIN.md "Contact details and workflow";
//! release notes 3.7.1.12): CreateWorkflow records an event against an existing group,
//! corporate, account, agreement or subscription, with an event type and code defined in
//! the catalogue's `referenceData/workflowEventTypes` (and a reason code, when given, in
//! `referenceData/reasonCodes`); QueryWorkflows lists them.
//!
//! The document form (and SOAP WorkflowPort) is the CMP 7.3.8 `CreateWorkflow`
//! (`workflowData` with a mandatory `processCommand`); `POST /workflows` takes the flat
//! body of SERVICES.md. Both run [`record`].

use cmp_model::messages::{
    paths, CreateWorkflowRequest, CreateWorkflowResponse, ListWorkflowsRequest,
    ListWorkflowsResponse, PostWorkflowRequest, QueryWorkflowsRequest, QueryWorkflowsResponse,
    WorkflowEvent, WorkflowItem, WorkflowItems, WorkflowLevel, WorkflowProcessCommand,
    WorkflowStatus, WorkflowStatusFilter, WorkflowTarget,
};
use cmp_model::{Date, Fault, FieldPath};
use cmp_store::repo::selfcare::{self, WorkflowRow};
use cmp_store::repo::{accounts, agreements, corporates, counters, groups, subscriptions};

use crate::faults::unknown_ref;
use crate::{Context, OpResult};

/// The status of a new event.
pub const STATUS_OPEN: &str = "Open";
/// QueryWorkflows answers at most this many events.
pub const MAX_EVENTS: i64 = 1000;

/// An event the system itself records (activation, disconnection, plan change, bill cycle
/// change, spend cap breach) against `level`/`target_id`, processed on `ctx`'s day, inside
/// the caller's transaction. Answers its number.
pub(crate) fn record_system_event(
    ctx: &Context,
    c: &mut cmp_store::DbConn,
    (level, target_id): (WorkflowLevel, String),
    (event_type_code, event_code): (&str, &str),
    reason_code: Option<String>,
    notes: String,
) -> Result<i64, crate::error::OpError> {
    let now = ctx.now();
    let event_number = counters::next(c, counters::WORKFLOW_EVENT)?;
    selfcare::insert_workflow(
        c,
        &WorkflowRow {
            event_number,
            target_type: level.as_str().to_string(),
            target_id,
            event_type_code: event_type_code.into(),
            event_code: event_code.into(),
            status: STATUS_OPEN.into(),
            process_command: None,
            process_date: Some(now.date()),
            process_back_date: None,
            resolution_required_by: None,
            reason_code,
            contact_information: None,
            telephone_number: None,
            pass_to_user_id: None,
            include_notes_default: None,
            notes: Some(notes),
            created_by: ctx.actor().to_string(),
            created_at: now,
            last_amended_at: now,
        },
    )?;
    Ok(event_number)
}

/// Whether the catalogue's reference data defines reason code `code`.
pub(crate) fn is_reason_code(s: &crate::catalogue::Snapshot, code: &str) -> bool {
    s.doc
        .reference_data
        .as_ref()
        .and_then(|r| r.reason_codes.as_ref())
        .is_some_and(|l| l.reason_code.iter().any(|c| c.code == code))
}

/// Where an event's references sit in the request that carried it.
struct EventPaths {
    event_type_code: FieldPath,
    event_code: FieldPath,
    reason_code: FieldPath,
    target: paths::WorkflowTarget,
}

/// An event to record, whichever form it came in.
struct NewEvent {
    paths: EventPaths,
    target: WorkflowTarget,
    event_type_code: String,
    event_code: String,
    process_command: Option<WorkflowProcessCommand>,
    process_date: Option<Date>,
    process_back_date: Option<Date>,
    contact_information: Option<String>,
    telephone_number: Option<String>,
    resolution_required_by: Option<Date>,
    reason_code: Option<String>,
    pass_to_user_id: Option<String>,
    include_notes_default: Option<bool>,
    notes: Option<String>,
}

/// CreateWorkflow, document form and SOAP (7.3.8).
pub fn create_workflow(
    ctx: &Context,
    req: CreateWorkflowRequest,
) -> OpResult<CreateWorkflowResponse> {
    let d = req.workflow_data;
    let at = || CreateWorkflowRequest::path().workflow_data();
    let e = NewEvent {
        paths: EventPaths {
            event_type_code: at().event_type_code(),
            event_code: at().event_code(),
            reason_code: at().reason_code(),
            target: at().target_identifier(),
        },
        target: d.target_identifier,
        event_type_code: d.event_type_code,
        event_code: d.event_code,
        process_command: Some(d.process_command),
        process_date: d.process_date,
        process_back_date: d.process_back_date,
        contact_information: d.contact_information,
        telephone_number: d.telephone_number,
        resolution_required_by: d.resolution_required_by_date,
        reason_code: d.reason_code,
        pass_to_user_id: d.pass_to_user_id,
        include_notes_default: d.include_notes_default,
        notes: d.notes,
    };
    let event_number = record(ctx, e)?;
    Ok(CreateWorkflowResponse {
        external_reference: req.external_reference,
        event_number,
    })
}

/// CreateWorkflow on its resource route, `POST /workflows`.
pub fn post_workflow(ctx: &Context, req: PostWorkflowRequest) -> OpResult<CreateWorkflowResponse> {
    let at = PostWorkflowRequest::path;
    let e = NewEvent {
        paths: EventPaths {
            event_type_code: at().event_type_code(),
            event_code: at().event_code(),
            reason_code: at().reason_code(),
            target: at().target_identifier(),
        },
        target: req.target_identifier,
        event_type_code: req.event_type_code,
        event_code: req.event_code,
        process_command: None,
        process_date: req.process_date,
        process_back_date: None,
        contact_information: None,
        telephone_number: None,
        resolution_required_by: req.resolution_required_by_date,
        reason_code: req.reason_code,
        pass_to_user_id: None,
        include_notes_default: None,
        notes: req.notes,
    };
    let event_number = record(ctx, e)?;
    Ok(CreateWorkflowResponse {
        external_reference: req.external_reference,
        event_number,
    })
}

/// The target's level, the path of its identifier and the identifier as stored.
fn level(t: &WorkflowTarget, at: paths::WorkflowTarget) -> (WorkflowLevel, FieldPath, String) {
    match t {
        WorkflowTarget::GroupIdentifier(c) => {
            (WorkflowLevel::Group, at.group_identifier(), c.clone())
        }
        WorkflowTarget::CorporateIdentifier(c) => (
            WorkflowLevel::Corporate,
            at.corporate_identifier(),
            c.clone(),
        ),
        WorkflowTarget::AccountIdentifier(n) => (
            WorkflowLevel::Account,
            at.account_identifier(),
            n.to_string(),
        ),
        WorkflowTarget::AgreementIdentifier(n) => (
            WorkflowLevel::Agreement,
            at.agreement_identifier(),
            n.to_string(),
        ),
        WorkflowTarget::SubscriptionIdentifier(n) => (
            WorkflowLevel::Subscription,
            at.subscription_identifier(),
            n.to_string(),
        ),
    }
}

/// Checks the event against the reference data and the structure (every error
/// collected), then stores it with the next 9-digit event number.
fn record(ctx: &Context, e: NewEvent) -> OpResult<i64> {
    let EventPaths {
        event_type_code,
        event_code,
        reason_code,
        target,
    } = e.paths;
    let snapshot = ctx.catalogue.current(ctx)?;
    let reference = snapshot.doc.reference_data.as_ref();
    let mut errors = Vec::new();
    let event_type = reference
        .and_then(|r| r.workflow_event_types.as_ref())
        .and_then(|t| {
            t.event_type
                .iter()
                .find(|t| t.type_code == e.event_type_code)
        });
    match event_type {
        None => errors.push(unknown_ref(event_type_code)),
        Some(t) if !t.event_code.iter().any(|c| c.code == e.event_code) => {
            errors.push(unknown_ref(event_code))
        }
        Some(_) => {}
    }
    if let Some(reason) = &e.reason_code {
        if !is_reason_code(&snapshot, reason) {
            errors.push(unknown_ref(reason_code));
        }
    }
    let (kind, target_path, target_id) = level(&e.target, target);
    let now = ctx.now();
    ctx.write(|c| {
        let exists = match &e.target {
            WorkflowTarget::GroupIdentifier(g) => groups::exists(c, g)?,
            WorkflowTarget::CorporateIdentifier(g) => corporates::exists(c, g)?,
            WorkflowTarget::AccountIdentifier(n) => accounts::exists(c, *n)?,
            WorkflowTarget::AgreementIdentifier(n) => agreements::exists(c, *n)?,
            WorkflowTarget::SubscriptionIdentifier(n) => subscriptions::exists(c, *n)?,
        };
        let mut errors = errors;
        if !exists {
            errors.insert(0, unknown_ref(target_path.clone()));
        }
        if !errors.is_empty() {
            return Err(Fault::validation(errors).into());
        }
        let event_number = counters::next(c, counters::WORKFLOW_EVENT)?;
        selfcare::insert_workflow(
            c,
            &WorkflowRow {
                event_number,
                target_type: kind.as_str().to_string(),
                target_id: target_id.clone(),
                event_type_code: e.event_type_code.clone(),
                event_code: e.event_code.clone(),
                status: STATUS_OPEN.to_string(),
                process_command: e.process_command.map(|p| p.as_str().to_string()),
                process_date: e.process_date,
                process_back_date: e.process_back_date,
                resolution_required_by: e.resolution_required_by,
                reason_code: e.reason_code.clone(),
                contact_information: e.contact_information.clone(),
                telephone_number: e.telephone_number.clone(),
                pass_to_user_id: e.pass_to_user_id.clone(),
                include_notes_default: e.include_notes_default,
                notes: e.notes.clone(),
                created_by: ctx.actor().to_string(),
                created_at: now,
                last_amended_at: now,
            },
        )?;
        ctx.audit(c, "workflowEvent", event_number)?;
        Ok(event_number)
    })
}

fn status_filter(f: Option<WorkflowStatusFilter>) -> Option<&'static str> {
    match f {
        None | Some(WorkflowStatusFilter::All) => None,
        Some(WorkflowStatusFilter::Open) => Some("Open"),
        Some(WorkflowStatusFilter::Resolved) => Some("Resolved"),
        Some(WorkflowStatusFilter::Cancelled) => Some("Cancelled"),
    }
}

/// `GET /workflows`: events of a level, of one entity (of that level, or of any level:
/// the numbers and codes of the levels do not overlap in practice), by status; by event
/// number.
pub fn list_workflows(ctx: &Context, req: ListWorkflowsRequest) -> OpResult<ListWorkflowsResponse> {
    let types: Vec<&str> = match (req.target_type, &req.target_id) {
        (Some(t), _) => vec![t.as_str()],
        (None, Some(_)) => WorkflowLevel::VALUES.to_vec(),
        (None, None) => Vec::new(),
    };
    let id = req.target_id.as_deref();
    let status = status_filter(req.status);
    let rows = ctx.read(|c| Ok(selfcare::workflows(c, &types, id, status, MAX_EVENTS)?))?;
    Ok(ListWorkflowsResponse {
        external_reference: req.external_reference,
        workflow: rows.into_iter().map(event).collect(),
    })
}

/// QueryWorkflows in the CMP 7.3.8 shape (document form and WorkflowPort): the events of
/// one entity at a customer level, by status, narrowed by the data filter.
pub fn query_workflows(
    ctx: &Context,
    req: QueryWorkflowsRequest,
) -> OpResult<QueryWorkflowsResponse> {
    let (types, id) = (
        [req.customer_level.as_str()],
        Some(req.customer_level_reference.as_str()),
    );
    let status = status_filter(Some(req.status_filter));
    let rows = ctx.read(|c| Ok(selfcare::workflows(c, &types, id, status, MAX_EVENTS)?))?;
    let exceeded = rows.len() as i64 >= MAX_EVENTS;
    let filter = req.data_filter.unwrap_or_default();
    let workflow = rows
        .into_iter()
        .filter(|r| {
            filter
                .event_type_code
                .as_ref()
                .is_none_or(|t| *t == r.event_type_code)
        })
        .filter(|r| {
            filter
                .event_code
                .as_ref()
                .is_none_or(|c| *c == r.event_code)
        })
        .filter(|r| {
            filter
                .resolution_required_by_date_on_or_before
                .is_none_or(|d| r.resolution_required_by.is_some_and(|x| x <= d))
        })
        .map(|r| {
            let e = event(r);
            WorkflowItem {
                event_number: e.event_number,
                event_status: Some(e.event_status),
                event_type: e.event_type_code,
                event_code: e.event_code,
                current_user_id: Some(e.created_by),
                created_date: e.created_date,
                last_amended_date: Some(e.last_amended_date),
            }
        })
        .collect();
    Ok(QueryWorkflowsResponse {
        external_reference: req.external_reference,
        query_limit_exceeded: exceeded,
        workflows: WorkflowItems { workflow },
    })
}

fn event(r: WorkflowRow) -> WorkflowEvent {
    WorkflowEvent {
        event_number: r.event_number,
        target_type: WorkflowLevel::parse(&r.target_type).unwrap_or(WorkflowLevel::Account),
        target_id: r.target_id,
        event_status: match r.status.as_str() {
            "Resolved" => WorkflowStatus::Resolved,
            "Cancelled" => WorkflowStatus::Cancelled,
            _ => WorkflowStatus::UnresolvedOpen,
        },
        event_type_code: r.event_type_code,
        event_code: r.event_code,
        process_command: r
            .process_command
            .as_deref()
            .and_then(WorkflowProcessCommand::parse),
        process_date: r.process_date,
        resolution_required_by_date: r.resolution_required_by,
        reason_code: r.reason_code,
        notes: r.notes,
        created_by: r.created_by,
        created_date: r.created_at.and_utc(),
        last_amended_date: r.last_amended_at.and_utc(),
    }
}
