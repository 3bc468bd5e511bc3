//! `kubernetes --shards N -- LOAD OPTIONS`: writes the manifests that run a load as N
//! shards on a Kubernetes cluster: an Indexed Job (`completionMode: Indexed`, one pod per
//! shard, `JOB_COMPLETION_INDEX` as K, `backoffLimit: 0`, `restartPolicy: Never`, every
//! shard told to start at now + `--lead`), a ConfigMap holding the configuration and
//! values files, and the gateway token taken from a Secret by reference, never inline.
//!
//! Each pod prints its shard's files (`shard.json`, `report.json`, `cleanup.json`) to its
//! log between markers ([`crate::commands::collect`]); `kubectl logs` of every pod into
//! one file, then `merge THAT-FILE`, gives the merged run folder.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Where the ConfigMap's files are mounted in each pod.
const FILES_DIR: &str = "/etc/gateway-loadtest";
/// The environment variable that makes a shard print its files to its log.
pub const PRINT_ENV: &str = "GATEWAY_LOADTEST_PRINT_SHARD";

/// The `kubernetes` subcommand's options.
#[derive(Clone, Debug, clap::Args)]
pub struct KubernetesOptions {
    /// How many shards (pods) run the load together
    #[arg(long, value_name = "N")]
    pub shards: usize,
    /// The image that holds this binary (see the Dockerfile)
    #[arg(long, value_name = "IMAGE", default_value = "gateway-loadtest:latest")]
    pub image: String,
    /// The gateway as the pods reach it [default: GATEWAY_URL]
    #[arg(long, value_name = "URL")]
    pub gateway: Option<String>,
    /// The Job's name, and the prefix of the ConfigMap's
    #[arg(long, value_name = "NAME", default_value = "gateway-loadtest")]
    pub name: String,
    /// The namespace to put the objects in
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Seconds from now to the common start: long enough to schedule every pod, pull the
    /// image and read the gateway's API
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub lead: u64,
    /// A Secret that holds the gateway's bearer token under the key `token`; the pods
    /// read it as GATEWAY_TOKEN (the token itself never enters the manifests)
    #[arg(long, value_name = "SECRET")]
    pub token_secret: Option<String>,
    /// A Secret that holds extra headers for every request under the key `headers`, as
    /// GATEWAY_HEADERS takes them (`Name: value; Other: value`); the pods read it as
    /// GATEWAY_HEADERS (the values never enter the manifests)
    #[arg(long, value_name = "SECRET")]
    pub headers_secret: Option<String>,
    /// The folder to write the manifests into
    #[arg(long, value_name = "DIR", default_value = "k8s")]
    pub out: PathBuf,
    /// The load options every shard runs with, after `--`, e.g. `-- --users 200 --run-time 5m`
    #[arg(last = true, value_name = "LOAD OPTIONS")]
    pub load: Vec<String>,
}

/// Why the manifests could not be written; each message fits after "failed to".
#[derive(Debug, thiserror::Error)]
pub enum KubernetesError {
    #[error("write the manifests: {0}")]
    Usage(String),
    #[error("read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// The files the pods need: the configuration file and the values file, by the name they
/// get in the ConfigMap.
pub struct Files {
    pub config: Option<(String, String)>,
    pub values: Option<(String, String)>,
}

impl Files {
    /// Reads the files the command line named.
    pub fn read(config: Option<&Path>, values: Option<&Path>) -> Result<Files, KubernetesError> {
        let read = |path: &Path, key: &str| {
            std::fs::read_to_string(path)
                .map(|text| (key.to_string(), text))
                .map_err(|source| KubernetesError::Read {
                    path: path.display().to_string(),
                    source,
                })
        };
        let config = match config {
            Some(path) => Some(read(path, "gateway-loadtest.toml")?),
            None => {
                let default = Path::new("gateway-loadtest.toml");
                match default.is_file() {
                    true => Some(read(default, "gateway-loadtest.toml")?),
                    false => None,
                }
            }
        };
        let values = values.map(|p| read(p, "values.toml")).transpose()?;
        Ok(Files { config, values })
    }
}

/// Writes `<out>/<name>.yaml` and returns its path.
pub fn run(options: &KubernetesOptions, files: &Files) -> Result<PathBuf, KubernetesError> {
    let start = chrono::Utc::now() + chrono::Duration::seconds(options.lead as i64);
    let documents = manifests(
        options,
        files,
        &start.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    )?;
    let text = documents
        .iter()
        .map(|doc| format!("---\n{}", to_yaml(doc, 0)))
        .collect::<String>();
    std::fs::create_dir_all(&options.out).map_err(|source| KubernetesError::Write {
        path: options.out.display().to_string(),
        source,
    })?;
    let path = options.out.join(format!("{}.yaml", options.name));
    std::fs::write(&path, text).map_err(|source| KubernetesError::Write {
        path: path.display().to_string(),
        source,
    })?;
    eprintln!(
        "gateway-loadtest: {} shards start at {start}; apply with `kubectl apply -f {}` within \
         {} s, then collect and merge (docs/distributed.md)",
        options.shards,
        path.display(),
        options.lead
    );
    Ok(path)
}

/// The ConfigMap (when there are files) and the Job, as JSON values.
pub fn manifests(
    options: &KubernetesOptions,
    files: &Files,
    start_at: &str,
) -> Result<Vec<Value>, KubernetesError> {
    if options.shards == 0 {
        return Err(KubernetesError::Usage("--shards must be 1 or more".into()));
    }
    let banned = [
        "--shard",
        "--shards",
        "--start-at",
        "--results-dir",
        "--host",
        "--config",
        "--values",
    ];
    if let Some(flag) = options.load.iter().find(|a| {
        banned
            .iter()
            .any(|b| *a == b || a.starts_with(&format!("{b}=")))
    }) {
        return Err(KubernetesError::Usage(format!(
            "{flag} is set by the manifests; leave it out of the load options (the gateway \
             is --gateway, the files are --config and --values before `kubernetes`)"
        )));
    }
    let gateway = options
        .gateway
        .clone()
        .or_else(|| {
            std::env::var("GATEWAY_URL")
                .ok()
                .filter(|v| !v.trim().is_empty())
        })
        .ok_or_else(|| {
            KubernetesError::Usage(
                "name the gateway as the pods reach it: --gateway http://gateway.ns.svc:8000"
                    .into(),
            )
        })?;
    if crate::spec::gateway_url::redact(&gateway) != gateway {
        return Err(KubernetesError::Usage(
            "--gateway holds a user name or password; give the URL without them and the \
             token with --token-secret"
                .into(),
        ));
    }
    let mut metadata = json!({"name": options.name, "labels": {"app": "gateway-loadtest"}});
    let files_name = format!("{}-files", options.name);
    let mut files_metadata = json!({"name": files_name, "labels": {"app": "gateway-loadtest"}});
    if let Some(ns) = &options.namespace {
        metadata["namespace"] = json!(ns);
        files_metadata["namespace"] = json!(ns);
    }
    let mut args: Vec<String> = vec![
        "--shard".into(),
        format!("$(JOB_COMPLETION_INDEX)/{}", options.shards),
        "--start-at".into(),
        start_at.into(),
        "--results-dir".into(),
        "/results".into(),
        "--host".into(),
        gateway,
    ];
    let mut data = serde_json::Map::new();
    for (flag, file) in [("--config", &files.config), ("--values", &files.values)] {
        if let Some((key, text)) = file {
            args.push(flag.into());
            args.push(format!("{FILES_DIR}/{key}"));
            data.insert(key.clone(), json!(text));
        }
    }
    if !options.load.iter().any(|a| a == "--no-telnet") {
        args.push("--no-telnet".into());
    }
    // One seed for the whole run, as a single process has.
    if !options
        .load
        .iter()
        .any(|a| a == "--seed" || a.starts_with("--seed="))
    {
        args.extend(["--seed".into(), rand::random::<u32>().to_string()]);
    }
    args.extend(options.load.iter().cloned());
    let mut env = vec![json!({"name": PRINT_ENV, "value": "1"})];
    let secrets = [
        ("GATEWAY_TOKEN", &options.token_secret, "token"),
        ("GATEWAY_HEADERS", &options.headers_secret, "headers"),
    ];
    for (variable, secret, key) in secrets {
        if let Some(secret) = secret {
            env.push(json!({"name": variable, "valueFrom": {"secretKeyRef": {
                "name": secret, "key": key}}}));
        }
    }
    let mut mounts = vec![json!({"name": "results", "mountPath": "/results"})];
    let mut volumes = vec![json!({"name": "results", "emptyDir": {}})];
    let mut documents = Vec::new();
    if !data.is_empty() {
        mounts.push(json!({"name": "files", "mountPath": FILES_DIR, "readOnly": true}));
        volumes.push(json!({"name": "files", "configMap": {"name": files_name}}));
        documents.push(json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": files_metadata,
            "data": data,
        }));
    }
    documents.push(json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata,
        "spec": {
            "completionMode": "Indexed",
            "completions": options.shards,
            "parallelism": options.shards,
            "backoffLimit": 0,
            "ttlSecondsAfterFinished": 86400,
            "template": {
                "metadata": {"labels": {"app": "gateway-loadtest"}},
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{
                        "name": "shard",
                        "image": options.image,
                        "imagePullPolicy": "IfNotPresent",
                        "args": args,
                        "env": env,
                        "volumeMounts": mounts,
                        "resources": {"requests": {"cpu": "1", "memory": "256Mi"}},
                    }],
                    "volumes": volumes,
                },
            },
        },
    }));
    Ok(documents)
}

/// `value` as block YAML; every string is written double-quoted (JSON's quoting is valid
/// YAML), so no value can be read as another type or break the document.
pub fn to_yaml(value: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
    // A file's text stays one quoted line with `\n` escapes: exact, if not pretty.
    let scalar = |v: &Value| v.to_string();
    match value {
        Value::Object(map) if !map.is_empty() => map
            .iter()
            .map(|(key, v)| match v {
                Value::Object(m) if !m.is_empty() => {
                    format!("{pad}{}:\n{}", json!(key), to_yaml(v, indent + 2))
                }
                Value::Array(a) if !a.is_empty() => {
                    format!("{pad}{}:\n{}", json!(key), to_yaml(v, indent))
                }
                _ => format!("{pad}{}: {}\n", json!(key), scalar(v)),
            })
            .collect(),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|item| match item {
                Value::Object(m) if !m.is_empty() => {
                    let inner = to_yaml(item, indent + 2);
                    format!("{pad}- {}", &inner[indent + 2..])
                }
                _ => format!("{pad}- {}\n", scalar(item)),
            })
            .collect(),
        other => format!("{pad}{}\n", scalar(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    /// The parts of the Kubernetes objects the manifests must get right, with unknown
    /// fields refused where a typo would silently change the object's meaning.
    #[derive(Deserialize)]
    #[serde(tag = "kind")]
    enum Object {
        ConfigMap {
            #[serde(rename = "apiVersion")]
            api_version: String,
            metadata: Metadata,
            data: BTreeMap<String, String>,
        },
        Job {
            #[serde(rename = "apiVersion")]
            api_version: String,
            metadata: Metadata,
            spec: JobSpec,
        },
    }

    #[derive(Deserialize)]
    struct Metadata {
        name: String,
        namespace: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct JobSpec {
        completion_mode: String,
        completions: u32,
        parallelism: u32,
        backoff_limit: u32,
        #[allow(dead_code)]
        ttl_seconds_after_finished: u32,
        template: PodTemplate,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct PodTemplate {
        #[allow(dead_code)]
        metadata: serde_yaml::Value,
        spec: PodSpec,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct PodSpec {
        restart_policy: String,
        containers: Vec<Container>,
        volumes: Vec<Volume>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Container {
        name: String,
        image: String,
        #[allow(dead_code)]
        image_pull_policy: String,
        args: Vec<String>,
        env: Vec<EnvVar>,
        volume_mounts: Vec<Mount>,
        #[allow(dead_code)]
        resources: serde_yaml::Value,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct EnvVar {
        name: String,
        value: Option<String>,
        value_from: Option<serde_yaml::Value>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Mount {
        name: String,
        mount_path: String,
        #[allow(dead_code)]
        read_only: Option<bool>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Volume {
        name: String,
        config_map: Option<BTreeMap<String, String>>,
        empty_dir: Option<serde_yaml::Value>,
    }

    /// A token that must never be written (the binary's test sets it as GATEWAY_TOKEN).
    const SECRET: &str = "s3cr3t-token-value";

    fn options(out: &Path) -> KubernetesOptions {
        KubernetesOptions {
            shards: 4,
            image: "registry.example/gateway-loadtest:1".into(),
            gateway: Some("http://gateway.load.svc:8000".into()),
            name: "checkout-load".into(),
            namespace: Some("load".into()),
            lead: 90,
            token_secret: Some("gateway-token".into()),
            headers_secret: Some("gateway-headers".into()),
            out: out.to_path_buf(),
            load: vec![
                "--users".into(),
                "200".into(),
                "--run-time".into(),
                "5m".into(),
            ],
        }
    }

    #[test]
    fn the_manifests_parse_as_an_indexed_job_and_a_config_map_without_the_token() {
        let dir = std::env::temp_dir().join(format!("glt-k8s-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let files = Files {
            config: Some((
                "gateway-loadtest.toml".into(),
                "[run]\nupload_bytes = 64\n# \"quoted\": yes\n".into(),
            )),
            values: Some(("values.toml".into(), "[values]\nlimit = 5\n".into())),
        };
        let path = run(&options(&dir), &files).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains(SECRET),
            "the token never enters the manifests"
        );
        let objects: Vec<Object> = serde_yaml::Deserializer::from_str(&text)
            .map(|doc| Object::deserialize(doc).expect("a Kubernetes object"))
            .collect();
        assert_eq!(objects.len(), 2);
        let Object::ConfigMap {
            api_version,
            metadata,
            data,
        } = &objects[0]
        else {
            panic!("the ConfigMap comes first");
        };
        assert_eq!(
            (api_version.as_str(), metadata.name.as_str()),
            ("v1", "checkout-load-files")
        );
        assert_eq!(
            data["gateway-loadtest.toml"],
            files.config.as_ref().unwrap().1,
            "kept exactly"
        );
        assert_eq!(data["values.toml"], "[values]\nlimit = 5\n");
        let Object::Job {
            api_version,
            metadata,
            spec,
        } = &objects[1]
        else {
            panic!("then the Job");
        };
        assert_eq!(api_version, "batch/v1");
        assert_eq!(metadata.namespace.as_deref(), Some("load"));
        assert_eq!(metadata.name, "checkout-load");
        assert_eq!(spec.completion_mode, "Indexed");
        assert_eq!(
            (spec.completions, spec.parallelism, spec.backoff_limit),
            (4, 4, 0)
        );
        let pod = &spec.template.spec;
        assert_eq!(pod.restart_policy, "Never");
        let container = &pod.containers[0];
        assert_eq!(container.name, "shard");
        assert_eq!(container.image, "registry.example/gateway-loadtest:1");
        let args = container.args.join(" ");
        assert!(args.contains("--shard $(JOB_COMPLETION_INDEX)/4"), "{args}");
        assert!(args.ends_with("--users 200 --run-time 5m"), "{args}");
        let start = &container.args[container
            .args
            .iter()
            .position(|a| a == "--start-at")
            .unwrap()
            + 1];
        let start_ms = crate::shard::parse_start_at(start).unwrap();
        let ahead = start_ms as i64 - crate::shard::now_ms() as i64;
        assert!(
            (80_000..=90_000).contains(&ahead),
            "starts --lead ahead: {ahead} ms"
        );
        assert!(args.contains("--config /etc/gateway-loadtest/gateway-loadtest.toml"));
        assert!(args.contains("--values /etc/gateway-loadtest/values.toml"));
        for (variable, secret, key) in [
            ("GATEWAY_TOKEN", "gateway-token", "token"),
            ("GATEWAY_HEADERS", "gateway-headers", "headers"),
        ] {
            let env = container.env.iter().find(|e| e.name == variable).unwrap();
            assert!(env.value.is_none(), "{variable} by reference only");
            let reference = env.value_from.as_ref().unwrap();
            assert_eq!(reference["secretKeyRef"]["name"], secret);
            assert_eq!(reference["secretKeyRef"]["key"], key);
        }
        assert!(container
            .env
            .iter()
            .any(|e| e.name == PRINT_ENV && e.value.as_deref() == Some("1")));
        for mount in &container.volume_mounts {
            let volume = pod.volumes.iter().find(|v| v.name == mount.name).unwrap();
            match mount.mount_path.as_str() {
                FILES_DIR => assert_eq!(
                    volume.config_map.as_ref().unwrap()["name"],
                    "checkout-load-files"
                ),
                _ => assert!(volume.empty_dir.is_some()),
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn options_the_manifests_set_or_a_password_in_the_url_are_refused() {
        let dir = std::env::temp_dir();
        let files = Files {
            config: None,
            values: None,
        };
        let mut clash = options(&dir);
        clash.load.push("--shard=0/2".into());
        let err = manifests(&clash, &files, "2026-01-01T00:00:00Z")
            .unwrap_err()
            .to_string();
        assert!(err.contains("--shard=0/2"), "{err}");
        let mut password = options(&dir);
        password.gateway = Some("http://alice:hunter2@gateway:8000".into());
        let err = manifests(&password, &files, "t").unwrap_err().to_string();
        assert!(
            !err.contains("hunter2") && err.contains("--token-secret"),
            "{err}"
        );
        // Without files there is no ConfigMap and no mount for it.
        let docs = manifests(&options(&dir), &files, "t").unwrap();
        assert_eq!(docs.len(), 1);
        assert!(!to_yaml(&docs[0], 0).contains("configMap"));
    }

    #[test]
    fn yaml_quotes_every_string_so_nothing_changes_type() {
        let value = json!({"a": ["yes", "1", "x: y", {"b": "- z", "c": []}], "d": {}});
        let parsed: serde_json::Value = serde_yaml::from_str(&to_yaml(&value, 0)).unwrap();
        assert_eq!(parsed, value);
    }
}
