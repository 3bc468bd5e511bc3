//! The code of one app: per operation a parameter struct with `sample`, setters and
//! `parts`, a transaction fn, and the app's `Generated <app>` scenario.

use super::ident::{self, Names};
use crate::spec::plan::{AppPlan, Location, Media, Method, Operation, Param};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// An app's module, and the registry entries (paths inside the module) it adds.
pub struct AppCode {
    pub tokens: TokenStream,
    pub registry: Vec<Ident>,
}

/// The module for one app.
pub fn app_module(app: &AppPlan) -> AppCode {
    let module = ident::ident(&ident::snake(&app.name));
    let doc = format!(
        " Generated transactions for `{}` (app `{}`, mounted at `{}`).",
        app.title,
        app.name,
        display_prefix(&app.prefix)
    );
    let scenario_name = format!("Generated {}", app.name);
    let app_name = &app.name;
    let mut fns = Names::with_reserved(&["scenario"]);
    let mut types = Names::default();
    let mut items = Vec::new();
    let mut transactions = Vec::new();
    let mut registry = Vec::new();
    for op in &app.operations {
        let relative = op
            .path
            .strip_prefix(app.prefix.as_str())
            .unwrap_or(&op.path);
        let base = ident::snake(&format!("{} {}", op.method.as_str(), relative));
        let fn_name = ident::ident(&fns.unique(&base));
        let struct_name = ident::ident(&types.unique(&format!("{}Params", ident::pascal(&base))));
        let upper = fn_name
            .to_string()
            .trim_start_matches("r#")
            .to_ascii_uppercase();
        let statics = Statics {
            info: format_ident!("{}_OP", upper),
            shapes: format_ident!("{}_SHAPES", upper),
        };
        items.push(operation_items(
            op,
            app_name,
            &fn_name,
            &struct_name,
            &statics,
        ));
        let info_name = statics.info;
        let tx_name = format!("{} {}", op.method.as_str(), op.path);
        transactions.push(quote! {
            .register_transaction(
                ::goose::goose::Transaction::new(::std::sync::Arc::new(move |user| {
                    ::std::boxed::Box::pin(#fn_name(user))
                }))
                .set_name(#tx_name),
            )
        });
        registry.push(info_name);
    }
    let tokens = quote! {
        #[doc = #doc]
        pub mod #module {
            #(#items)*

            /// The app's scenario: one transaction per operation.
            pub fn scenario() -> ::std::result::Result<::goose::goose::Scenario, ::goose::GooseError> {
                ::std::result::Result::Ok(::goose::goose::Scenario::new(#scenario_name) #(#transactions)*)
            }
        }
    };
    AppCode { tokens, registry }
}

fn display_prefix(prefix: &str) -> &str {
    if prefix.is_empty() {
        "/"
    } else {
        prefix
    }
}

/// The Rust type of a parameter, and the `Values` method that draws it.
fn rust_type(schema: &serde_json::Value) -> (TokenStream, Ident) {
    let format = schema.get("format").and_then(|f| f.as_str());
    match schema.get("type").and_then(|t| t.as_str()) {
        Some("integer") => (quote!(i64), format_ident!("integer")),
        Some("number") => (quote!(f64), format_ident!("number")),
        Some("boolean") => (quote!(bool), format_ident!("boolean")),
        Some("string") if format != Some("binary") => {
            (quote!(::std::string::String), format_ident!("string"))
        }
        _ => (quote!(::serde_json::Value), format_ident!("value")),
    }
}

/// One field of a parameter struct.
struct Field {
    ident: Ident,
    ty: TokenStream,
    draw: Ident,
    required: bool,
    doc: String,
}

/// The names of an operation's statics: its registry entry and its compiled shapes.
struct Statics {
    info: Ident,
    shapes: Ident,
}

fn operation_items(
    op: &Operation,
    app: &str,
    fn_name: &Ident,
    struct_name: &Ident,
    statics: &Statics,
) -> TokenStream {
    let (info_name, shapes_name) = (&statics.info, &statics.shapes);
    let method = op.method.as_str();
    let template = &op.path;
    let fn_doc = format!(" Sends `{method} {template}`.");
    let struct_doc = format!(" Parameters of `{method} {template}`.");

    let mut field_names = Names::with_reserved(&["body"]);
    let mut fields: Vec<Field> = Vec::new();
    let mut shape_json: Vec<String> = Vec::new();
    for param in &op.params {
        let (ty, draw) = rust_type(&param.schema);
        let name = field_names.unique(&ident::snake(&param.name));
        fields.push(Field {
            ident: ident::ident(&name),
            ty,
            draw,
            required: param.required,
            doc: format!(
                " {} `{}`{}",
                location_name(param.location),
                param.name,
                if param.required { "" } else { ", optional" }
            ),
        });
        shape_json.push(param.schema.to_string());
    }
    let body = op.body.as_ref();
    if let Some(body) = body {
        fields.push(Field {
            ident: format_ident!("body"),
            ty: quote!(::serde_json::Value),
            draw: format_ident!("value"),
            required: body.required,
            doc: format!(
                " {} body ({}){}",
                media_name(body.media),
                body.content_type,
                if body.required { "" } else { ", optional" }
            ),
        });
        shape_json.push(body.schema.to_string());
    }

    let struct_fields = fields.iter().map(|f| {
        let (ident, ty, doc) = (&f.ident, &f.ty, &f.doc);
        if f.required {
            quote! { #[doc = #doc] pub #ident: #ty, }
        } else {
            quote! { #[doc = #doc] pub #ident: ::std::option::Option<#ty>, }
        }
    });
    let draws = fields.iter().enumerate().map(|(i, f)| {
        let (ident, draw, required) = (&f.ident, &f.draw, f.required);
        let name = op.params.get(i).map(|p| p.name.as_str()).unwrap_or("body");
        if required {
            quote! { #ident: values.#draw(&shapes[#i], #name), }
        } else {
            quote! { #ident: values.optional(false, |values| values.#draw(&shapes[#i], #name)), }
        }
    });
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
    let path_code = path_code(op, &fields);
    let param_pushes = op
        .params
        .iter()
        .zip(&fields)
        .filter_map(|(param, field)| param_push(param, field));
    let body_code = body.map(|body| {
        let value = if body.required { quote!(::std::option::Option::Some(self.body.clone())) } else { quote!(self.body.clone()) };
        let index = fields.len() - 1;
        match body.media {
            Media::Json => quote! { parts.body = #value.map(crate::params::BodyValue::Json).unwrap_or_default(); },
            Media::Form => quote! { parts.body = #value.map(crate::params::BodyValue::Form).unwrap_or_default(); },
            Media::Multipart => quote! {
                parts.body = #value
                    .map(|value| crate::params::BodyValue::Multipart(value, &#shapes_name[#index]))
                    .unwrap_or_default();
            },
        }
    });
    let method_variant = goose_method(op.method);
    let success = op.success.iter().map(|s| {
        let (lo, hi) = (s.min, s.max);
        quote! { (#lo, #hi) }
    });
    let json_expected = op
        .response_media
        .as_deref()
        .is_some_and(|m| m.contains("json"));
    let shape_literals = shape_json.iter();

    quote! {
        static #shapes_name: ::std::sync::LazyLock<::std::vec::Vec<crate::params::Shape>> =
            ::std::sync::LazyLock::new(|| ::std::vec![#(crate::params::Shape::from_json_text(#shape_literals)),*]);

        #[doc = #struct_doc]
        #[derive(Clone, Debug, PartialEq)]
        pub struct #struct_name {
            #(#struct_fields)*
        }

        impl #struct_name {
            /// Draws every parameter from its schema: examples first, then defaults, enums, fakes.
            pub fn sample(values: &mut crate::params::Values) -> Self {
                let shapes = &*#shapes_name;
                // Operations without parameters leave both unused.
                let _ = (&values, &shapes);
                Self { #(#draws)* }
            }

            #(#setters)*

            /// The request these parameters make: path, query, headers, cookies and body.
            pub fn parts(&self) -> crate::params::RequestParts {
                let mut parts = crate::params::RequestParts::new(::goose::goose::GooseMethod::#method_variant, #template);
                #path_code
                #(#param_pushes)*
                #body_code
                parts
            }
        }

        /// What the registry knows of this operation.
        pub static #info_name: crate::params::OperationInfo = crate::params::OperationInfo {
            app: #app,
            method: #method,
            path: #template,
            success: &[#(#success),*],
            json_response: #json_expected,
            sample: |values| #struct_name::sample(values).parts(),
        };

        #[doc = #fn_doc]
        pub async fn #fn_name(user: &mut ::goose::goose::GooseUser) -> ::goose::goose::TransactionResult {
            crate::request::send_operation(user, &#info_name).await
        }
    }
}

/// Builds `parts.path` from literal segments and percent-encoded path parameters.
fn path_code(op: &Operation, fields: &[Field]) -> TokenStream {
    let mut pushes = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let literal = &rest[..open];
        let name = &after[..close];
        if !literal.is_empty() {
            pushes.push(quote! { parts.path.push_str(#literal); });
        }
        let field = op
            .params
            .iter()
            .position(|p| p.location == Location::Path && p.name == name)
            .map(|i| &fields[i].ident);
        match field {
            Some(ident) => pushes
                .push(quote! { crate::params::push_path_segment(&mut parts.path, &self.#ident); }),
            // Unreachable in practice: the plan declares every `{name}`; keep the text.
            None => {
                let text = format!("{{{name}}}");
                pushes.push(quote! { parts.path.push_str(#text); });
            }
        }
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        pushes.push(quote! { parts.path.push_str(#rest); });
    }
    quote! {
        parts.path.clear();
        #(#pushes)*
    }
}

/// Adds one query, header or cookie parameter to `parts`.
fn param_push(param: &Param, field: &Field) -> Option<TokenStream> {
    let name = &param.name;
    let ident = &field.ident;
    let push = match param.location {
        Location::Path => return None,
        Location::Query => quote! { crate::params::push_query(&mut parts.query, #name, value); },
        Location::Header => quote! { parts.headers.push((#name, crate::params::joined(value))); },
        Location::Cookie => quote! { parts.cookies.push((#name, crate::params::joined(value))); },
    };
    Some(if field.required {
        quote! { { let value = &self.#ident; #push } }
    } else {
        quote! { if let ::std::option::Option::Some(value) = &self.#ident { #push } }
    })
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

fn location_name(location: Location) -> &'static str {
    match location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
        Location::Cookie => "cookie",
    }
}

fn media_name(media: Media) -> &'static str {
    match media {
        Media::Json => "JSON",
        Media::Form => "form",
        Media::Multipart => "multipart",
    }
}
