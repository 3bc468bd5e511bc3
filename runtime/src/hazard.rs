//! Operations the run leaves out unless `[mix.operations]` names them exactly: those
//! that would change or end the login the run works with, or change the server's own
//! configuration. A load test that logs its own user out, renames it, changes its
//! password or revokes its sessions locks itself (and whoever checks the app after it)
//! out; one that posts drawn values to the server's settings (its model endpoints, its
//! token lifetime, its sign-up switch) leaves the app changed for everyone and may break
//! the rest of its own run. A login with drawn credentials can only fail, and may lock
//! the account. Each is dealt with weight 0 and listed with its reason in `discover`
//! and coverage.md.

use crate::spec::settings::MixSettings;

/// Why the run leaves `method path` out by default, if it does.
pub fn reason(method: &str, path: &str) -> Option<&'static str> {
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty() && !s.contains('{'))
        .map(|s| {
            s.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .collect();
    let last = segments.last().map_or("", String::as_str);
    let method = method.to_ascii_uppercase();
    let writes = matches!(method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE");
    if matches!(last, "logout" | "signout" | "logoff" | "logoutall") {
        return Some("would end the run's own login (logout)");
    }
    // Whatever its method (LNbits restarts on `GET /admin/api/v1/restart`).
    if matches!(
        last,
        "restart" | "reboot" | "shutdown" | "poweroff" | "halt" | "restartserver"
    ) {
        return Some("would restart or stop the server mid-run");
    }
    if writes && segments.iter().any(|s| s.contains("password")) {
        return Some("would change a password the run may log in with");
    }
    if writes
        && segments.iter().any(|s| {
            matches!(
                s.as_str(),
                "me" | "currentuser" | "self" | "whoami" | "myself"
            )
        })
    {
        return Some("would change or delete the user the run is logged in as");
    }
    if writes
        && segments
            .iter()
            .any(|s| matches!(s.as_str(), "mfa" | "2fa" | "totp" | "otp" | "twofactor"))
    {
        return Some("would change how the run's user logs in (multi-factor)");
    }
    if writes && segments.iter().any(|s| s.contains("revoke")) {
        return Some("would revoke sessions or tokens, maybe the run's own");
    }
    // Settings of the server, not of one resource: no path parameter before them.
    let global_settings = path
        .split('/')
        .take_while(|s| !s.contains('{'))
        .map(|s| s.to_ascii_lowercase())
        .any(|s| s.starts_with("config") || s == "settings");
    // `POST /api/v1/reset` of the whole server, not `/counters/{id}/reset` of one.
    let global = !path.contains('{');
    if writes && global && matches!(last, "reset" | "wipe" | "purge" | "factoryreset") {
        return Some("would wipe the server's data for everyone (and the run's own)");
    }
    if writes && global_settings {
        return Some(
            "would change the server's configuration for everyone (and may break the run)",
        );
    }
    if method == "POST"
        && matches!(last, "login" | "token" | "signin" | "accesstoken")
        && !crate::auth::is_token_operation(path)
    {
        return Some(
            "logs in with drawn credentials, which fail (and may lock the account); with \
             GATEWAY_USERNAME and GATEWAY_PASSWORD set, the run sends it with those",
        );
    }
    None
}

/// The weight `mix` gives `method path`, and why it is 0 when this module left it out:
/// a `[mix.operations]` pattern without `*` that matches it wins over the reason.
pub fn weight(mix: &MixSettings, method: &str, path: &str) -> (f64, Option<&'static str>) {
    let named = mix.operations.iter().any(|(pattern, _)| {
        !pattern.contains('*') && crate::spec::pattern::matches(pattern, method, path)
    });
    match reason(method, path).filter(|_| !named) {
        Some(why) => (0.0, Some(why)),
        None => (mix.weight(method, path), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_on_the_run_s_own_login_or_the_server_s_settings_are_left_out_with_a_reason() {
        let out = |m, p| reason(m, p).is_some();
        assert!(out("GET", "/api/v1/logout"));
        assert!(out("POST", "/auth/sign-out"));
        assert!(out("PUT", "/api/v1/current-user"));
        assert!(out("PATCH", "/users/me"));
        assert!(out("POST", "/api/v1/auths/update/password"));
        assert!(out("POST", "/api/v1/login"));
        assert!(out("POST", "/oauth/token"));
        assert!(out("POST", "/api/v1/users/{user_id}/sessions/revoke"));
        assert!(out("POST", "/api/v1/auths/admin/config"));
        assert!(out("POST", "/ollama/config/update"));
        assert!(out("PUT", "/api/v1/settings"));
        assert!(out("POST", "/api/v1/auths/mfa/enroll/start"));
        assert!(!out("GET", "/api/v1/settings"));
        assert!(out("GET", "/admin/api/v1/restart"));
        assert!(out("POST", "/system/shutdown"));
        assert!(out("POST", "/api/v2/reset"));
        assert!(!out("POST", "/counters/{id}/reset"));
        assert!(!out("GET", "/api/v2/reset"));
        // A resource's own settings are the resource's.
        assert!(!out("POST", "/api/v1/tools/id/{id}/valves/config"));
        // Sessions the app serves are resources like any other.
        assert!(!out("POST", "/api/v1/documents/sessions"));
        assert!(!out("POST", "/admin/users"));
        // Reading them, or acting on other users, is load like any other.
        assert!(!out("GET", "/api/v1/current-user"));
        assert!(!out("GET", "/users/me"));
        assert!(!out("PUT", "/api/v1/users/{user_name_or_id}"));
        assert!(!out("DELETE", "/users/{id}"));
        assert!(!out("POST", "/api/v1/tokens")); // creates API tokens: a collection
        assert!(!out("GET", "/password-policy"));
    }

    #[test]
    fn an_exact_mix_pattern_sends_a_left_out_operation_and_a_wildcard_does_not() {
        let mix = |text: &str| crate::spec::settings::parse(text).unwrap().mix;
        let exact = mix("[mix.operations]\n\"PUT /api/v1/current-user\" = 2\n");
        assert_eq!(weight(&exact, "PUT", "/api/v1/current-user"), (2.0, None));
        let wild = mix("[mix.operations]\n\"PUT /api/*\" = 3\n");
        let (w, why) = weight(&wild, "PUT", "/api/v1/current-user");
        assert_eq!(w, 0.0);
        assert!(why.unwrap().contains("logged in as"));
        assert_eq!(weight(&wild, "PUT", "/api/v1/items/{id}"), (3.0, None));
    }
}
