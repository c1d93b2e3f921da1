// @generated automatically by Diesel CLI.

diesel::table! {
    accounts (account_number) {
        account_number -> Int8,
        customer_number -> Int8,
        account_name -> Nullable<Text>,
        status -> Text,
        corporate_code -> Nullable<Text>,
        group_code -> Nullable<Text>,
        currency -> Text,
        payment_method -> Text,
        created_at -> Timestamp,
        last_amended_at -> Timestamp,
        company_number -> Nullable<Text>,
        payment_type -> Nullable<Text>,
        payment_term -> Nullable<Text>,
        credit_limit -> Nullable<Int8>,
        account_usage -> Nullable<Text>,
        email_address -> Nullable<Text>,
        for_attn_of_name -> Nullable<Text>,
        account_contact_name -> Nullable<Text>,
    }
}

diesel::table! {
    agreements (agreement_number) {
        agreement_number -> Int8,
        group_code -> Nullable<Text>,
        corporate_code -> Nullable<Text>,
        account_number -> Nullable<Int8>,
        billing_cycle -> Int4,
        invoice_consolidation_level -> Nullable<Text>,
        invoice_receipt_address -> Nullable<Text>,
        next_expected_invoice_date -> Date,
        billing_media -> Nullable<Text>,
        price_plan_code -> Nullable<Text>,
        created_at -> Timestamp,
        last_amended_at -> Timestamp,
    }
}

diesel::table! {
    billing_media (code) {
        code -> Text,
        description -> Text,
    }
}

diesel::table! {
    corporates (corporate_code) {
        corporate_code -> Text,
        description -> Text,
        group_code -> Nullable<Text>,
        created_at -> Timestamp,
        last_amended_at -> Timestamp,
        posting_account_number -> Nullable<Int8>,
        email_address -> Nullable<Text>,
    }
}

diesel::table! {
    customer_addresses (customer_number, address_type) {
        customer_number -> Int8,
        address_type -> Text,
        line1 -> Nullable<Text>,
        line2 -> Nullable<Text>,
        line3 -> Nullable<Text>,
        line4 -> Nullable<Text>,
        town -> Nullable<Text>,
        county -> Nullable<Text>,
        postcode -> Nullable<Text>,
        country -> Nullable<Text>,
    }
}

diesel::table! {
    customer_groups (group_code) {
        group_code -> Text,
        description -> Text,
        created_at -> Timestamp,
        last_amended_at -> Timestamp,
        posting_account_number -> Nullable<Int8>,
        email_address -> Nullable<Text>,
    }
}

diesel::table! {
    customers (customer_number) {
        customer_number -> Int8,
        title -> Nullable<Text>,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        date_of_birth -> Nullable<Date>,
        gender -> Nullable<Text>,
        marital_status -> Nullable<Text>,
        occupation -> Nullable<Text>,
        id_type -> Nullable<Text>,
        id_number -> Nullable<Text>,
        company_name -> Nullable<Text>,
        company_registration_number -> Nullable<Text>,
        vat_number -> Nullable<Text>,
        home_phone -> Nullable<Text>,
        work_phone -> Nullable<Text>,
        mobile_phone -> Nullable<Text>,
        fax -> Nullable<Text>,
        email -> Nullable<Text>,
        created_at -> Timestamp,
        last_amended_at -> Timestamp,
    }
}

diesel::table! {
    id_counters (name) {
        name -> Text,
        next_value -> Int8,
    }
}

diesel::table! {
    api_keys (name) {
        name -> Text,
        key_id -> Text,
        secret_hash -> Text,
        role -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        at -> Timestamp,
        actor -> Text,
        operation -> Text,
        entity_type -> Text,
        entity_id -> Text,
        external_reference -> Nullable<Text>,
        request_id -> Text,
    }
}

diesel::table! {
    catalogues (version) {
        version -> Int8,
        imported_at -> Timestamp,
        imported_by -> Text,
        document -> Text,
    }
}

diesel::table! {
    subscriptions (subscription_number) {
        subscription_number -> Int8,
        account_number -> Int8,
        agreement_number -> Int8,
        status -> Text,
        price_plan_code -> Text,
        connected_date -> Nullable<Date>,
        disconnected_date -> Nullable<Date>,
        user_name -> Nullable<Text>,
        cost_centre -> Nullable<Text>,
        contract_start -> Nullable<Date>,
        contract_term_months -> Nullable<Int4>,
        created_at -> Timestamp,
        last_amended_at -> Timestamp,
        // 2026-12-01-000011_subscription_details
        password_hash -> Nullable<Text>,
        date_of_birth -> Nullable<Date>,
        gender -> Nullable<Text>,
        marital_status -> Nullable<Text>,
        // 2026-12-02-000013_scheduled_actions
        contract_number -> Nullable<Text>,
        disconnection_reason -> Nullable<Text>,
        termination_fee_minor -> Nullable<Int8>,
    }
}

diesel::table! {
    scheduled_actions (id) {
        id -> Int8,
        kind -> Text,
        entity_number -> Int8,
        due_date -> Date,
        state -> Text,
        payload -> Text,
        created_at -> Timestamp,
        applied_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    subscription_packages (purchase_identifier) {
        purchase_identifier -> Int8,
        subscription_number -> Int8,
        package_code -> Text,
        is_base -> Bool,
        effective_date -> Date,
        expiry_date -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    subscription_serial_numbers (subscription_number, kind, enumeration_id) {
        subscription_number -> Int8,
        kind -> Text,
        enumeration_id -> Int4,
        value -> Text,
        // 2026-12-01-000011_subscription_details
        effective_date -> Nullable<Date>,
    }
}

diesel::table! {
    subscription_identities (subscription_number, identity_type) {
        subscription_number -> Int8,
        identity_type -> Text,
        identity_value -> Text,
    }
}

diesel::table! {
    direct_debits (direct_debit_id) {
        direct_debit_id -> Int8,
        account_number -> Int8,
        status -> Text,
        name_of_payer -> Text,
        bank_sort_code -> Text,
        masked_account_number -> Text,
        mandate_reference -> Nullable<Text>,
        mandate_received_date -> Nullable<Date>,
        setup_method -> Text,
        created_at -> Timestamp,
        cancelled_date -> Nullable<Date>,
        cancellation_reason -> Nullable<Text>,
    }
}

diesel::table! {
    registered_cards (card_id) {
        card_id -> Int8,
        account_number -> Int8,
        card_token -> Text,
        card_type -> Text,
        last_four_digits -> Text,
        expiry_month -> Int4,
        expiry_year -> Int4,
        cardholder_name -> Text,
        status -> Text,
        subscription_number -> Nullable<Int8>,
        is_payment_method -> Bool,
        registered_date -> Date,
        cancelled_date -> Nullable<Date>,
        cancellation_reason -> Nullable<Text>,
        last_amended_at -> Timestamp,
    }
}

diesel::table! {
    account_email_addresses (account_number, email_id) {
        account_number -> Int8,
        email_id -> Int4,
        email_type -> Text,
        address -> Text,
        last_amended_at -> Timestamp,
    }
}

diesel::joinable!(accounts -> corporates (corporate_code));
diesel::joinable!(accounts -> customer_groups (group_code));
diesel::joinable!(accounts -> customers (customer_number));
diesel::joinable!(agreements -> accounts (account_number));
diesel::joinable!(agreements -> billing_media (billing_media));
diesel::joinable!(agreements -> corporates (corporate_code));
diesel::joinable!(agreements -> customer_groups (group_code));
diesel::joinable!(corporates -> customer_groups (group_code));
diesel::joinable!(customer_addresses -> customers (customer_number));
diesel::joinable!(subscription_identities -> subscriptions (subscription_number));
diesel::joinable!(subscription_packages -> subscriptions (subscription_number));
diesel::joinable!(subscription_serial_numbers -> subscriptions (subscription_number));
diesel::joinable!(subscriptions -> accounts (account_number));
diesel::joinable!(subscriptions -> agreements (agreement_number));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    account_email_addresses,
    direct_debits,
    registered_cards,
    api_keys,
    audit_log,
    agreements,
    billing_media,
    catalogues,
    corporates,
    customer_addresses,
    customer_groups,
    customers,
    id_counters,
    subscription_identities,
    subscription_packages,
    subscription_serial_numbers,
    subscriptions,
);

// Self-care (migration 2026-11-22-000005_selfcare).
diesel::table! {
    secret_keys (name) {
        name -> Text,
        key_hex -> Text,
    }
}

diesel::table! {
    outbox (message_id) {
        message_id -> Int8,
        created_at -> Timestamp,
        kind -> Text,
        channel -> Text,
        address -> Text,
        body -> Text,
        request_id -> Text,
    }
}

diesel::table! {
    one_time_passwords (otp_reference) {
        otp_reference -> Text,
        subscription_number -> Nullable<Int8>,
        account_number -> Nullable<Int8>,
        delivery_channel -> Text,
        delivered_to -> Text,
        purpose -> Nullable<Text>,
        code_hash -> Text,
        state -> Text,
        failed_attempts -> Int4,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    workflow_events (event_number) {
        event_number -> Int8,
        target_type -> Text,
        target_id -> Text,
        event_type_code -> Text,
        event_code -> Text,
        status -> Text,
        process_command -> Nullable<Text>,
        process_date -> Nullable<Date>,
        process_back_date -> Nullable<Date>,
        resolution_required_by -> Nullable<Date>,
        reason_code -> Nullable<Text>,
        contact_information -> Nullable<Text>,
        telephone_number -> Nullable<Text>,
        pass_to_user_id -> Nullable<Text>,
        include_notes_default -> Nullable<Bool>,
        notes -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        last_amended_at -> Timestamp,
    }
}

// Subscription details (migration 2026-12-01-000011_subscription_details).
diesel::table! {
    subscription_services (service_instance_id) {
        service_instance_id -> Int8,
        subscription_number -> Int8,
        service_code -> Text,
        charge_type -> Text,
        price -> Text,
        effective_date -> Date,
        expiry_date -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    subscription_attributes (subscription_number, name) {
        subscription_number -> Int8,
        name -> Text,
        attribute_group -> Nullable<Text>,
        value -> Text,
        created_at -> Timestamp,
        last_amended_at -> Timestamp,
    }
}

diesel::table! {
    subscription_email_addresses (subscription_number, email_id) {
        subscription_number -> Int8,
        email_id -> Int4,
        email_type -> Text,
        address -> Text,
        last_amended_at -> Timestamp,
    }
}

diesel::table! {
    subscription_serial_number_history (subscription_number, kind, enumeration_id, sequence) {
        subscription_number -> Int8,
        kind -> Text,
        enumeration_id -> Int4,
        sequence -> Int4,
        value -> Text,
        effective_date -> Date,
        end_date -> Date,
        replaced_at -> Timestamp,
    }
}

diesel::joinable!(subscription_services -> subscriptions (subscription_number));
diesel::joinable!(subscription_attributes -> subscriptions (subscription_number));
diesel::joinable!(subscription_email_addresses -> subscriptions (subscription_number));
diesel::joinable!(subscription_serial_number_history -> subscriptions (subscription_number));
diesel::allow_tables_to_appear_in_same_query!(
    subscriptions,
    subscription_services,
    subscription_attributes,
    subscription_email_addresses,
    subscription_serial_number_history,
);

// Usage, allowances and spend caps (migration 2026-12-01-000012_usage).
diesel::table! {
    usage_periods (subscription_number, period_start) {
        subscription_number -> Int8,
        period_start -> Date,
        records -> Int8,
        charged_minor -> Int8,
    }
}

diesel::table! {
    usage_records (subscription_number, period_start, record_number) {
        subscription_number -> Int8,
        period_start -> Date,
        record_number -> Int8,
        used_at -> Timestamp,
        usage_type -> Text,
        quantity -> Int8,
        in_bundle -> Int8,
        charged_minor -> Int8,
        recorded_at -> Timestamp,
        request_id -> Text,
    }
}

diesel::table! {
    allowance_draws (subscription_number, period_start, purchase_identifier, service_code) {
        subscription_number -> Int8,
        period_start -> Date,
        purchase_identifier -> Int8,
        service_code -> Text,
        used -> Int8,
    }
}

diesel::table! {
    subscription_spend_caps (subscription_number, cap_code, effective_date) {
        subscription_number -> Int8,
        cap_code -> Text,
        effective_date -> Date,
        amount_minor -> Int8,
        expiry_date -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    spend_cap_breaches (subscription_number, period_start, cap_code) {
        subscription_number -> Int8,
        period_start -> Date,
        cap_code -> Text,
        breached_at -> Timestamp,
        event_number -> Int8,
    }
}

diesel::joinable!(usage_periods -> subscriptions (subscription_number));
diesel::joinable!(allowance_draws -> subscription_packages (purchase_identifier));
diesel::joinable!(subscription_spend_caps -> subscriptions (subscription_number));
diesel::joinable!(spend_cap_breaches -> subscriptions (subscription_number));

diesel::allow_tables_to_appear_in_same_query!(
    allowance_draws,
    spend_cap_breaches,
    subscription_spend_caps,
    subscriptions,
    usage_periods,
    usage_records,
);
