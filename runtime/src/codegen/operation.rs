//! The code of one app: per operation a parameter struct with `sample`, setters and
//! `parts`, a transaction fn, and the app's `Generated <app>` scenario.

use super::ident::{self, Names};
use crate::spec::model::{AppPlan, Body, IdFrom, Location, Media, Method, Operation, Param};
use crate::spec::shared;
use crate::spec::template::{self, Piece};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::{Map, Value};

/// An app's module, and the registry entries (paths inside the module) it adds. The
/// module is kept in pieces, its head (doc and `pub mod name`) and its items, so the file
/// can be written one item per line: rustc's diagnostics look up columns by scanning a
/// line, which is quadratic on a file of one long line.
pub struct AppCode {
    pub head: TokenStream,
    pub items: Vec<TokenStream>,
    pub registry: Vec<Ident>,
}

/// The Rust names of one operation's items.
pub struct OpNames {
    pub fn_name: Ident,
    pub struct_name: Ident,
    /// The `OperationInfo` static (the registry entry).
    pub info: Ident,
    /// The parameter-table static (`::gateway_loadtest_runtime::params::Fields`).
    pub fields: Ident,
}

/// Names for every operation of an app, unique within its module, in plan order.
pub fn op_names(app: &AppPlan) -> Vec<OpNames> {
    let mut fns = Names::with_reserved(&["scenario"]);
    let mut types = Names::default();
    app.operations
        .iter()
        .map(|op| {
            let relative = op
                .path
                .strip_prefix(app.prefix.as_str())
                .unwrap_or(&op.path);
            let base = ident::snake(&format!("{} {}", op.method.as_str(), relative));
            let fn_name = ident::ident(&fns.unique(&base));
            let struct_name =
                ident::ident(&types.unique(&format!("{}Params", ident::pascal(&base))));
            let upper = fn_name
                .to_string()
                .trim_start_matches("r#")
                .to_ascii_uppercase();
            OpNames {
                fn_name,
                struct_name,
                info: format_ident!("{}_OP", upper),
                fields: format_ident!("{}_FIELDS", upper),
            }
        })
        .collect()
}

/// Finds the registry static of another operation, by method and path, as a path from
/// inside an app module (`super::docman::POST_TICKETS_OP`).
pub type Lookup<'a> = dyn Fn(Method, &str) -> Option<TokenStream> + 'a;

/// The module for one app.
pub fn app_module(
    app: &AppPlan,
    module: &Ident,
    names: &[OpNames],
    lookup: &Lookup<'_>,
) -> AppCode {
    let doc = format!(
        " Generated transactions for `{}` (app `{}`, mounted at `{}`).",
        app.title,
        app.name,
        display_prefix(&app.prefix)
    );
    let scenario_name = format!("Generated {}", app.name);
    let app_name = &app.name;
    let mut items = Vec::new();
    let mut registry = Vec::new();
    // Each shared schema's text once, in a table the operations' schemas refer to.
    if !app.schemas.is_empty() {
        items.push(schemas_static(&app.schemas));
    }
    for (op, names) in app.operations.iter().zip(names) {
        crate::spec::budget::at(format!(
            "generate the code of {} {}",
            op.method.as_str(),
            op.path
        ));
        items.push(operation_items(op, app_name, names, &app.schemas, lookup));
        registry.push(names.info.clone());
    }
    let head = quote! {
        #[doc = #doc]
        pub mod #module
    };
    let scenario = quote! {
        /// The app's scenario: one transaction per operation, and a cleanup when the user stops.
        pub fn scenario() -> ::std::result::Result<::goose::goose::Scenario, ::goose::GooseError> {
            ::std::result::Result::Ok(::gateway_loadtest_runtime::scenario::generated(#scenario_name, OPERATIONS))
        }
    };
    items.push(scenario);
    AppCode {
        head,
        items,
        registry,
    }
}

fn display_prefix(prefix: &str) -> &str {
    if prefix.is_empty() {
        "/"
    } else {
        prefix
    }
}

/// `static SCHEMAS`: the app's shared schemas as `(name, JSON text)` literals, sorted by
/// name (the run time searches it).
fn schemas_static(schemas: &Map<String, Value>) -> TokenStream {
    let mut entries: Vec<(&String, String)> = schemas
        .iter()
        .map(|(name, schema)| (name, schema.to_string()))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let entries = entries.iter().map(|(name, text)| quote! { (#name, #text) });
    quote! {
        /// The app's shared schemas, each once: operations' schemas refer to them by name.
        static SCHEMAS: ::gateway_loadtest_runtime::params::Schemas =
            ::gateway_loadtest_runtime::params::Schemas::new(&[#(#entries),*]);
    }
}

/// Whether a schema's JSON text refers to a shared schema.
fn refers(text: &str) -> bool {
    text.contains(&format!("\"$ref\":\"{}", shared::PREFIX))
}

/// The Rust type of a parameter (`::gateway_loadtest_runtime::params::Drawn` draws each of them).
fn rust_type(schema: &serde_json::Value) -> TokenStream {
    let format = schema.get("format").and_then(|f| f.as_str());
    match schema.get("type").and_then(|t| t.as_str()) {
        Some("integer") => quote!(i64),
        Some("number") => quote!(f64),
        Some("boolean") => quote!(bool),
        Some("string") if format != Some("binary") => quote!(::std::string::String),
        _ => quote!(::serde_json::Value),
    }
}

/// One field of a parameter struct.
struct Field {
    ident: Ident,
    ty: TokenStream,
    required: bool,
    doc: String,
    /// The spec text of its schema, as the parameter table holds it.
    schema: String,
    /// The resource a parameter names, drawn from the user's pool first.
    resource: Option<String>,
    /// A JSON or form body, whose `*_id` properties are chained.
    chained_body: bool,
}

/// One operation's items: parameter table and struct, its methods, registry static, transaction fn.
fn operation_items(
    op: &Operation,
    app: &str,
    names: &OpNames,
    schemas: &Map<String, Value>,
    lookup: &Lookup<'_>,
) -> TokenStream {
    let fields = fields(op, schemas);
    let fields_static = fields_static(op, &names.fields, &fields, schemas);
    let params_struct = params_struct(op, &names.struct_name, &fields);
    let sample = sample_fn(op, &names.fields, &fields);
    let setters = setters(&fields);
    let parts = parts_fn(op, &names.fields, &fields);
    let struct_name = &names.struct_name;
    let info = operation_info(op, app, names, lookup);
    let transaction = transaction_fn(op, names);
    quote! {
        #fields_static
        #params_struct

        impl #struct_name {
            #sample

            #setters

            #parts
        }

        #info

        #transaction
    }
}

/// The fields of an operation's parameter struct: its parameters in plan order, then its body.
fn fields(op: &Operation, schemas: &Map<String, Value>) -> Vec<Field> {
    let mut field_names = Names::with_reserved(&["body"]);
    let mut fields: Vec<Field> = Vec::new();
    for param in &op.params {
        let ty = rust_type(shared::resolve(schemas, &param.schema));
        let name = field_names.unique(&ident::snake(&param.name));
        fields.push(Field {
            ident: ident::ident(&name),
            ty,
            required: param.required,
            doc: format!(
                " {} `{}`{}",
                param.location.as_str(),
                param.name,
                if param.required { "" } else { ", optional" }
            ),
            schema: param.schema.to_string(),
            resource: param.resource.clone(),
            chained_body: false,
        });
    }
    if let Some(body) = &op.body {
        fields.push(Field {
            ident: format_ident!("body"),
            ty: quote!(::serde_json::Value),
            required: body.required,
            doc: format!(
                " {} body ({}){}",
                media_name(body.media),
                body.content_type,
                if body.required { "" } else { ", optional" }
            ),
            schema: body.schema.to_string(),
            resource: None,
            chained_body: body.media != Media::Multipart,
        });
    }
    fields
}

/// The parameter table (`static …_FIELDS`), spec text as literals; none without fields.
fn fields_static(
    op: &Operation,
    fields_name: &Ident,
    fields: &[Field],
    schemas: &Map<String, Value>,
) -> TokenStream {
    // An operation without parameters has no table and draws nothing.
    if fields.is_empty() {
        return quote! {};
    }
    let operation_key = format!("{} {}", op.method.as_str(), op.path);
    // `sample` draws each field through `::gateway_loadtest_runtime::params::Drawer`,
    // where the user's overrides come first.
    let table = fields.iter().enumerate().map(|(i, f)| {
        let schema = &f.schema;
        let field = match op.params.get(i) {
            Some(p) => {
                let (at, name) = (location_path(p.location), &p.name);
                quote! { ::gateway_loadtest_runtime::params::Field::param(#at, #name, #schema) }
            }
            None => quote! { ::gateway_loadtest_runtime::params::Field::body(#schema) },
        };
        let names = f
            .resource
            .as_ref()
            .map(|resource| quote! { .names(#resource) });
        // An optional header the spec says nothing concrete about (a version or tracing
        // header) is left out unless overridden: made-up text there is rejected, not load.
        let silent = op
            .params
            .get(i)
            .is_some_and(|p| {
                p.location == Location::Header
                    && !p.required
                    && !suggests_values(shared::resolve(schemas, &p.schema))
            })
            .then(|| quote! { .silent() });
        let chained = f.chained_body.then(|| quote! { .chained() });
        quote! { #field #names #silent #chained }
    });
    let new = match fields.iter().any(|f| refers(&f.schema)) {
        true => quote! { shared(#operation_key, &[#(#table),*], &SCHEMAS) },
        false => quote! { new(#operation_key, &[#(#table),*]) },
    };
    quote! {
        static #fields_name: ::gateway_loadtest_runtime::params::Fields =
            ::gateway_loadtest_runtime::params::Fields::#new;
    }
}

/// The parameter struct: one public field per parameter and the body, optional ones `Option`s.
fn params_struct(op: &Operation, struct_name: &Ident, fields: &[Field]) -> TokenStream {
    let struct_doc = format!(" Parameters of `{} {}`.", op.method.as_str(), op.path);
    let struct_fields = fields.iter().map(|f| {
        let (ident, ty, doc) = (&f.ident, &f.ty, &f.doc);
        if f.required {
            quote! { #[doc = #doc] pub #ident: #ty, }
        } else {
            quote! { #[doc = #doc] pub #ident: ::std::option::Option<#ty>, }
        }
    });
    quote! {
        #[doc = #struct_doc]
        #[derive(Clone, Debug, PartialEq)]
        pub struct #struct_name {
            #(#struct_fields)*
        }
    }
}

/// `sample()`, which draws every field through the parameter table's drawer.
fn sample_fn(op: &Operation, fields_name: &Ident, fields: &[Field]) -> TokenStream {
    let draws = fields.iter().enumerate().map(|(i, f)| {
        let ident = &f.ident;
        match op.params.get(i) {
            Some(_) => quote! { #ident: draw.param(), },
            None => quote! { #ident: draw.body(), },
        }
    });
    let sample_body = if fields.is_empty() {
        quote! { let _ = values; Self {} }
    } else {
        quote! {
            let mut draw = #fields_name.drawer(values);
            Self { #(#draws)* }
        }
    };
    quote! {
        /// Draws every parameter: the user's overrides first, then ids the user created,
        /// examples, defaults, enums, fakes.
        pub fn sample(values: &mut ::gateway_loadtest_runtime::params::Values) -> Self {
            #sample_body
        }
    }
}

/// The `with_*` setters, one per field.
fn setters(fields: &[Field]) -> TokenStream {
    let setters = fields.iter().map(|f| {
        let (ident, ty) = (&f.ident, &f.ty);
        let setter = format_ident!("with_{}", ident.to_string().trim_start_matches("r#"));
        let doc = format!(" Sets{}.", f.doc);
        let assign = if f.required {
            quote!(value)
        } else {
            quote!(::std::option::Option::Some(value))
        };
        quote! {
            #[doc = #doc]
            pub fn #setter(mut self, value: #ty) -> Self {
                self.#ident = #assign;
                self
            }
        }
    });
    quote! { #(#setters)* }
}

/// `parts()`, the request the parameters make: path, query, headers, cookies and body.
fn parts_fn(op: &Operation, fields_name: &Ident, fields: &[Field]) -> TokenStream {
    let method_variant = goose_method(op.method);
    let template = &op.path;
    let path_code = path_code(op, fields);
    let param_pushes = op
        .params
        .iter()
        .zip(fields)
        .filter_map(|(param, field)| param_push(param, field));
    let body_code = op
        .body
        .as_ref()
        .map(|body| body_code(body, fields_name, fields.len() - 1));
    quote! {
        /// The request these parameters make: path, query, headers, cookies and body.
        pub fn parts(self) -> ::gateway_loadtest_runtime::params::RequestParts {
            let mut parts = ::gateway_loadtest_runtime::params::RequestParts::new(::goose::goose::GooseMethod::#method_variant, #template);
            #path_code
            #(#param_pushes)*
            #body_code
            parts
        }
    }
}

/// Moves the body, field `index`, into `parts` (an optional one when set), with its type.
fn body_code(body: &Body, fields_name: &Ident, index: usize) -> TokenStream {
    let wrap = match body.media {
        Media::Json => quote! { ::gateway_loadtest_runtime::params::BodyValue::Json(body) },
        Media::Form => quote! { ::gateway_loadtest_runtime::params::BodyValue::Form(body) },
        Media::Multipart => {
            quote! { ::gateway_loadtest_runtime::params::BodyValue::Multipart(body, &#fields_name.shapes()[#index]) }
        }
    };
    // A JSON body of a concrete type other than `application/json` (`+json`) says
    // so; reqwest's `.json()` keeps a content type already set.
    let base = body.content_type.split(';').next().unwrap_or("").trim();
    let declared = (body.media == Media::Json
        && !base.eq_ignore_ascii_case("application/json")
        && base.contains('/')
        && !base.contains('*')
        && body.content_type.bytes().all(|b| (0x20..0x7f).contains(&b)))
    .then(|| {
        let content_type = &body.content_type;
        quote! { parts.headers.push(("content-type", ::std::string::String::from(#content_type))); }
    });
    // The body moves into the request: a drawn body is sent once, never copied.
    if body.required {
        quote! { let body = self.body; parts.body = #wrap; #declared }
    } else {
        quote! { if let ::std::option::Option::Some(body) = self.body { parts.body = #wrap; #declared } }
    }
}

/// The `OperationInfo` static, the operation's registry entry: what it expects and links.
fn operation_info(op: &Operation, app: &str, names: &OpNames, lookup: &Lookup<'_>) -> TokenStream {
    let (info_name, struct_name) = (&names.info, &names.struct_name);
    let method = op.method.as_str();
    let template = &op.path;
    let success = op.success.iter().map(|s| {
        let (lo, hi) = (s.min, s.max);
        quote! { (#lo, #hi) }
    });
    let json_expected = op
        .response_media
        .as_deref()
        .is_some_and(|m| m.contains("json"));
    // Spec text, as a string literal: compiled on the first answer checked.
    let response_schema = match (&op.response_schema, json_expected) {
        (Some(schema), true) => serde_json::to_string(schema).unwrap_or_default(),
        _ => String::new(),
    };
    let response_schema = match refers(&response_schema) {
        true => quote! { shared(#response_schema, &SCHEMAS) },
        false => quote! { new(#response_schema) },
    };
    let produces = produces(op);
    let deletes = match &op.deletes {
        Some(resource) => quote! { ::std::option::Option::Some(#resource) },
        None => quote! { ::std::option::Option::None },
    };
    let needs = op.needs.iter().filter_map(|need| {
        let producer = lookup(need.producer_method, &need.producer_path)?;
        let resource = &need.resource;
        let existing = need.existing_will_do;
        Some(quote! {
            ::gateway_loadtest_runtime::params::Need { resource: #resource, producer: &#producer, existing_will_do: #existing }
        })
    });
    quote! {
        /// What the registry knows of this operation.
        pub static #info_name: ::gateway_loadtest_runtime::params::OperationInfo = ::gateway_loadtest_runtime::params::OperationInfo {
            app: #app,
            method: #method,
            path: #template,
            success: &[#(#success),*],
            json_response: #json_expected,
            response: ::gateway_loadtest_runtime::params::ResponseSchema::#response_schema,
            sample: |values| #struct_name::sample(values).parts(),
            produces: #produces,
            deletes: #deletes,
            needs: &[#(#needs),*],
            facts: ::gateway_loadtest_runtime::params::Facts::new(),
        };
    }
}

/// The `produces` entry: the resource the operation creates and where its id comes from.
fn produces(op: &Operation) -> TokenStream {
    match &op.produces {
        Some(p) => {
            let resource = &p.resource;
            let id = match &p.id {
                IdFrom::Field(field) => {
                    quote! { ::gateway_loadtest_runtime::params::IdFrom::Field(#field) }
                }
                IdFrom::Location => quote! { ::gateway_loadtest_runtime::params::IdFrom::Location },
            };
            quote! { ::std::option::Option::Some((#resource, #id)) }
        }
        None => quote! { ::std::option::Option::None },
    }
}

/// The transaction fn, which sends the operation through its registry entry.
fn transaction_fn(op: &Operation, names: &OpNames) -> TokenStream {
    let (fn_name, info_name) = (&names.fn_name, &names.info);
    let fn_doc = format!(" Sends `{} {}`.", op.method.as_str(), op.path);
    quote! {
        #[doc = #fn_doc]
        pub fn #fn_name(user: &mut ::goose::goose::GooseUser) -> ::gateway_loadtest_runtime::transaction::Sending<'_> {
            ::gateway_loadtest_runtime::transaction::send_operation(user, &#info_name)
        }
    }
}

/// Whether a schema offers concrete values: an example, a default or an enum.
fn suggests_values(schema: &serde_json::Value) -> bool {
    ["example", "examples", "default", "enum"]
        .iter()
        .any(|key| schema.get(key).is_some())
}

/// Builds `parts.path` from literal segments and percent-encoded path parameters.
fn path_code(op: &Operation, fields: &[Field]) -> TokenStream {
    let pushes = template::pieces(&op.path).into_iter().map(|piece| match piece {
        Piece::Literal(literal) => quote! { parts.path.push_str(#literal); },
        Piece::Param(name) => {
            let field = op
                .params
                .iter()
                .position(|p| p.location == Location::Path && p.name == name)
                .map(|i| &fields[i].ident);
            match field {
                Some(ident) => quote! {
                    ::gateway_loadtest_runtime::params::push_path_segment(&mut parts.path, &self.#ident);
                },
                // Unreachable in practice: the plan declares every `{name}`; keep the text.
                None => {
                    let text = format!("{{{name}}}");
                    quote! { parts.path.push_str(#text); }
                }
            }
        }
    });
    quote! {
        parts.path.clear();
        #(#pushes)*
    }
}

/// Adds one query, header or cookie parameter to `parts` (an optional one when set).
fn param_push(param: &Param, field: &Field) -> Option<TokenStream> {
    let name = &param.name;
    let ident = &field.ident;
    let add = match param.location {
        Location::Path => return None,
        Location::Query => format_ident!("query"),
        Location::Header => format_ident!("header"),
        Location::Cookie => format_ident!("cookie"),
    };
    let value = if field.required {
        quote! { ::std::option::Option::Some(&self.#ident) }
    } else {
        quote! { self.#ident.as_ref() }
    };
    Some(quote! { parts.#add(#name, #value); })
}

fn goose_method(method: Method) -> Ident {
    format_ident!(
        "{}",
        match method {
            Method::Get => "Get",
            Method::Post => "Post",
            Method::Put => "Put",
            Method::Patch => "Patch",
            Method::Delete => "Delete",
            Method::Head => "Head",
        }
    )
}

/// The generated code's path to a parameter's location.
fn location_path(location: Location) -> TokenStream {
    match location {
        Location::Path => quote!(::gateway_loadtest_runtime::params::Location::Path),
        Location::Query => quote!(::gateway_loadtest_runtime::params::Location::Query),
        Location::Header => quote!(::gateway_loadtest_runtime::params::Location::Header),
        Location::Cookie => quote!(::gateway_loadtest_runtime::params::Location::Cookie),
    }
}

fn media_name(media: Media) -> &'static str {
    match media {
        Media::Json => "JSON",
        Media::Form => "form",
        Media::Multipart => "multipart",
    }
}
