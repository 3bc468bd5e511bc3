"""Checks every trait of the realistic fixture against real servers.

Starts `serve.sh 0` (several times: default, auth off, a 1 s token TTL, `--root-path
/api`), talks to each over HTTP with the standard library only, prints one line per
failure and a closing `N passed, M failed`, exits non-zero on any failure, and stops
every server it started. Run with any python3: `python3 tests/realistic/check.py`.
"""

import base64
import contextlib
import http.client
import json
import os
import selectors
import signal
import subprocess
import sys
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SERVE_SH = os.path.join(HERE, "serve.sh")

PASSED = 0
FAILED = 0


def check(name, ok, detail=""):
    global PASSED, FAILED
    if ok:
        PASSED += 1
    else:
        FAILED += 1
        print(f"FAIL {name}: {detail}", flush=True)


@contextlib.contextmanager
def server(*args, env=None):
    """Runs serve.sh 0 ARGS; yields the base URL read from its first stdout line."""
    proc = subprocess.Popen(
        ["bash", SERVE_SH, "0", *args], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})}, start_new_session=True,
    )
    try:
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout=300):
            raise RuntimeError("serve.sh printed no line within 300 s")
        line = proc.stdout.readline().decode().strip()
        prefix = "listening on http://127.0.0.1:"
        if not line.startswith(prefix) or not line[len(prefix):].isdigit():
            raise RuntimeError(f"unexpected first line from serve.sh: {line!r}")
        yield int(line[len(prefix):])
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stdout.close()


class Client:
    def __init__(self, port, base=""):
        self.port = port
        self.base = base
        self.token = None

    def call(self, method, path, body=None, form=None, headers=None, auth=True, raw_body=None):
        hdrs = dict(headers or {})
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        if auth and self.token and "Authorization" not in hdrs:
            hdrs["Authorization"] = f"Bearer {self.token}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, self.base + path, body=data, headers=hdrs)
            resp = conn.getresponse()
            text = resp.read()
            try:
                parsed = json.loads(text) if text else None
            except ValueError:
                parsed = text.decode(errors="replace")
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, parsed
        finally:
            conn.close()

    def login(self, username="admin", password="admin-password"):
        st, _, body = self.call("POST", "/auth/token", form={"username": username, "password": password},
                                auth=False)
        if st == 200:
            self.token = body["access_token"]
        return st, body


def expect(name, result, status, body=None, detail=None):
    st, _, got = result
    ok = st == status
    if ok and body is not None:
        ok = got == body
    if ok and detail is not None:
        ok = isinstance(got, dict) and got.get("detail") == detail
    check(name, ok, f"got {st} {got!r}")
    return got


def is_validation_error(got, loc=None, type_=None):
    if not isinstance(got, dict) or not isinstance(got.get("detail"), list) or not got["detail"]:
        return False
    for err in got["detail"]:
        if not (isinstance(err, dict) and isinstance(err.get("loc"), list)
                and isinstance(err.get("msg"), str) and isinstance(err.get("type"), str)):
            return False
    if loc is not None and not any(err["loc"] == loc for err in got["detail"]):
        return False
    if type_ is not None and not any(err["type"] == type_ for err in got["detail"]):
        return False
    return True


def expect_422(name, result, loc=None, type_=None):
    st, _, got = result
    check(name, st == 422 and is_validation_error(got, loc, type_), f"got {st} {got!r}")


def is_uuid(value):
    try:
        uuid.UUID(str(value))
        return True
    except ValueError:
        return False


def b64id(n):
    return base64.urlsafe_b64encode(f"Project:{n}".encode()).decode().rstrip("=")


EXPECTED_PATHS = {
    "/health": {"get"},
    "/auth/token": {"post"},
    "/work_pools/": {"post"},
    "/work_pools/filter": {"post"},
    "/work_pools/count": {"post"},
    "/work_pools/{name}": {"get", "patch", "delete"},
    "/flags": {"get"},
    "/flags/{flag_name}/toggle": {"post"},
    "/work_pools/{work_pool_name}/queues/": {"post", "get"},
    "/work_pools/{work_pool_name}/queues/{name}": {"get", "delete"},
    "/projects": {"post", "get"},
    "/projects/{project_identifier}": {"get", "delete"},
    "/projects/{project_identifier}/members": {"get"},
    "/project/{project}/secrets/create_or_update": {"post"},
    "/project/{project}/secrets/get": {"post"},
    "/project/{project}/secrets/list": {"post"},
    "/project/{project}/secrets/delete": {"post"},
    "/v2/limits/": {"post"},
    "/v2/limits/{id_or_name}": {"get", "delete"},
    "/artifacts/": {"post"},
    "/artifacts/{key}/latest": {"get"},
    "/artifacts/{id}": {"delete"},
    "/users/": {"post"},
    "/users/{user_id}": {"get", "patch", "delete"},
    "/runs/": {"post"},
    "/runs/{run_id}": {"get", "delete"},
    "/auth/logout": {"post"},
    "/me": {"put"},
}
PUBLIC = {("/health", "get"), ("/auth/token", "post")}
INITIAL = {"work_pools": 1, "queues": 1, "projects": 1, "secrets": 0, "limits": 0,
           "artifacts": 0, "users": 0, "runs": 0, "flag_toggles": 0}


def check_openapi(c, auth_on=True):
    st, _, doc = c.call("GET", "/openapi.json", auth=False)
    check("openapi.json 200 JSON", st == 200 and isinstance(doc, dict), f"got {st}")
    if not isinstance(doc, dict):
        return {}
    paths = {p: set(ops) for p, ops in doc.get("paths", {}).items()}
    check("openapi paths exactly the documented ones", paths == EXPECTED_PATHS,
          f"extra {set(paths) - set(EXPECTED_PATHS)} missing {set(EXPECTED_PATHS) - set(paths)}")
    check("no /_fixture route in openapi", not any(p.startswith("/_fixture") for p in paths), "")
    schemes = doc.get("components", {}).get("securitySchemes", {})
    if auth_on:
        check("OAuth2 password scheme with relative tokenUrl",
              schemes.get("OAuth2PasswordBearer", {}).get("flows", {}).get("password", {})
              .get("tokenUrl") == "auth/token", json.dumps(schemes))
        for path, ops in doc.get("paths", {}).items():
            for method, op in ops.items():
                secured = op.get("security") == [{"OAuth2PasswordBearer": []}]
                check(f"security on {method} {path}", secured != ((path, method) in PUBLIC),
                      f"security={op.get('security')}")
    else:
        check("no security scheme with auth off", not schemes, json.dumps(schemes))
        check("no operation security with auth off",
              not any("security" in op for ops in doc["paths"].values() for op in ops.values()), "")
    # documented responses
    responses = doc["paths"]["/work_pools/"]["post"]["responses"]
    check("POST /work_pools/ documents 201 and 409", {"201", "409", "422"} <= set(responses),
          sorted(responses))
    check("DELETE /work_pools/{name} documents 204",
          "204" in doc["paths"]["/work_pools/{name}"]["delete"]["responses"], "")
    check("secrets get documents 400 RPC error",
          doc["paths"]["/project/{project}/secrets/get"]["post"]["responses"]["400"]["content"]
          ["application/json"]["schema"] == {"$ref": "#/components/schemas/RPCError"}, "")
    schemas = doc["components"]["schemas"]
    check("WorkPoolCreate name pattern/maxLength/example",
          schemas["WorkPoolCreate"]["properties"]["name"].get("pattern") == "^[a-z0-9-]+$"
          and schemas["WorkPoolCreate"]["properties"]["name"].get("maxLength") == 40
          and schemas["WorkPoolCreate"]["properties"]["name"].get("examples") == ["my-pool"],
          json.dumps(schemas["WorkPoolCreate"]["properties"]["name"]))
    check("WorkPoolCreate forbids extra fields",
          schemas["WorkPoolCreate"].get("additionalProperties") is False, "")
    check("UserCreate email format", schemas["UserCreate"]["properties"]["email"].get("format") == "email", "")
    check("SecretUpsert name pattern",
          schemas["SecretUpsert"]["properties"]["name"].get("pattern") == "^[A-Z][A-Z0-9_]*$", "")
    limit_params = [p for p in doc["paths"]["/projects"]["get"]["parameters"] if p["name"] == "limit"]
    check("GET /projects limit query 1..200 default 50",
          limit_params and limit_params[0]["in"] == "query"
          and limit_params[0]["schema"].get("minimum") == 1
          and limit_params[0]["schema"].get("maximum") == 200
          and limit_params[0]["schema"].get("default") == 50, json.dumps(limit_params))
    check("token form body is form-encoded",
          "application/x-www-form-urlencoded" in doc["paths"]["/auth/token"]["post"]["requestBody"]["content"], "")
    return doc


def check_auth(c):
    expect("health without token", c.call("GET", "/health", auth=False), 200, {"status": "ok"})
    st, hdrs, got = c.call("GET", "/work_pools/default-pool", auth=False)
    check("401 without token", st == 401 and got == {"detail": "Not authenticated"}
          and hdrs.get("www-authenticate") == "Bearer", f"{st} {got} {hdrs.get('www-authenticate')}")
    st, hdrs, got = c.call("GET", "/work_pools/default-pool",
                           headers={"Authorization": "Bearer not-a-token"})
    check("401 with a bad token", st == 401 and hdrs.get("www-authenticate") == "Bearer", f"{st} {got}")
    st, hdrs, got = c.call("POST", "/work_pools/", body={"name": "x"}, auth=False)
    check("401 beats body validation", st == 401, f"{st} {got}")
    expect_422("login with JSON instead of a form is 422",
               c.call("POST", "/auth/token", body={"username": "admin", "password": "admin-password"},
                      auth=False), loc=["body", "username"], type_="missing")
    st, got = c.login(password="wrong")
    check("login with a wrong password is 400", st == 400 and got == {"detail": "Incorrect username or password"},
          f"{st} {got}")
    st, got = c.login()
    check("login with form data", st == 200 and got.get("token_type") == "bearer"
          and isinstance(got.get("access_token"), str), f"{st} {got}")
    expect("bearer works", c.call("GET", "/work_pools/default-pool"), 200)
    expect("/_fixture needs no token", c.call("GET", "/_fixture/inventory", auth=False), 200)


def check_work_pools(c):
    got = expect("pre-existing default-pool", c.call("GET", "/work_pools/default-pool"), 200)
    check("default-pool has a uuid id and its name",
          isinstance(got, dict) and is_uuid(got.get("id")) and got.get("name") == "default-pool", got)
    expect("pre-existing queue default", c.call("GET", "/work_pools/default-pool/queues/default"), 200)
    got = expect("create work pool", c.call("POST", "/work_pools/",
                                            body={"name": "pool-a", "description": "A", "concurrency_limit": 3}), 201)
    check("created pool has uuid id", isinstance(got, dict) and is_uuid(got.get("id"))
          and got.get("name") == "pool-a" and got.get("concurrency_limit") == 3, got)
    expect("duplicate work pool 409", c.call("POST", "/work_pools/", body={"name": "pool-a"}), 409,
           detail="Work pool already exists")
    expect_422("work pool name pattern", c.call("POST", "/work_pools/", body={"name": "Pool A"}),
               loc=["body", "name"], type_="string_pattern_mismatch")
    expect_422("work pool name too long", c.call("POST", "/work_pools/", body={"name": "a" * 41}),
               loc=["body", "name"], type_="string_too_long")
    expect_422("work pool negative concurrency", c.call("POST", "/work_pools/",
                                                        body={"name": "p", "concurrency_limit": -1}),
               loc=["body", "concurrency_limit"], type_="greater_than_equal")
    expect_422("work pool extra field forbidden", c.call("POST", "/work_pools/", body={"name": "p", "x": 1}),
               loc=["body", "x"], type_="extra_forbidden")
    expect_422("work pool body missing", c.call("POST", "/work_pools/"), loc=["body"], type_="missing")
    expect("unknown work pool 404", c.call("GET", "/work_pools/nope"), 404, detail="Work pool not found")
    got = expect("patch work pool", c.call("PATCH", "/work_pools/pool-a", body={"description": "B"}), 200)
    check("patch applied, rest kept", isinstance(got, dict) and got.get("description") == "B"
          and got.get("concurrency_limit") == 3, got)
    expect("patch unknown pool 404", c.call("PATCH", "/work_pools/nope", body={}), 404)
    got = expect("filter with no body", c.call("POST", "/work_pools/filter"), 200)
    check("filter returns a plain list of both pools",
          isinstance(got, list) and [p["name"] for p in got] == ["default-pool", "pool-a"], got)
    got = expect("filter limit/offset", c.call("POST", "/work_pools/filter", body={"limit": 1, "offset": 1}), 200)
    check("filter paged", isinstance(got, list) and [p["name"] for p in got] == ["pool-a"], got)
    expect_422("filter limit 0", c.call("POST", "/work_pools/filter", body={"limit": 0}),
               loc=["body", "limit"], type_="greater_than_equal")
    expect_422("filter limit 201", c.call("POST", "/work_pools/filter", body={"limit": 201}),
               loc=["body", "limit"], type_="less_than_equal")
    expect("count", c.call("POST", "/work_pools/count"), 200, 2)
    got = expect("create queue", c.call("POST", "/work_pools/pool-a/queues/", body={"name": "q1", "priority": 5}), 201)
    check("queue body", isinstance(got, dict) and is_uuid(got.get("id")) and got.get("priority") == 5
          and got.get("work_pool_name") == "pool-a", got)
    expect("duplicate queue 409", c.call("POST", "/work_pools/pool-a/queues/", body={"name": "q1", "priority": 1}),
           409, detail="Work queue already exists")
    expect("same queue name in another pool is fine",
           c.call("POST", "/work_pools/default-pool/queues/", body={"name": "q1", "priority": 1}), 201)
    expect_422("queue priority 0", c.call("POST", "/work_pools/pool-a/queues/", body={"name": "q2", "priority": 0}),
               loc=["body", "priority"], type_="greater_than_equal")
    expect_422("queue priority 101", c.call("POST", "/work_pools/pool-a/queues/",
                                            body={"name": "q2", "priority": 101}),
               loc=["body", "priority"], type_="less_than_equal")
    expect_422("queue priority required", c.call("POST", "/work_pools/pool-a/queues/", body={"name": "q2"}),
               loc=["body", "priority"], type_="missing")
    expect("queue in unknown pool 404", c.call("POST", "/work_pools/nope/queues/", body={"name": "q", "priority": 1}),
           404, detail="Work pool not found")
    got = expect("list queues", c.call("GET", "/work_pools/pool-a/queues/"), 200)
    check("list queues plain list", isinstance(got, list) and [q["name"] for q in got] == ["q1"], got)
    expect_422("list queues limit 0", c.call("GET", "/work_pools/pool-a/queues/?limit=0"),
               loc=["query", "limit"], type_="greater_than_equal")
    expect_422("list queues limit not int", c.call("GET", "/work_pools/pool-a/queues/?limit=abc"),
               loc=["query", "limit"], type_="int_parsing")
    expect("get queue", c.call("GET", "/work_pools/pool-a/queues/q1"), 200)
    expect("unknown queue 404", c.call("GET", "/work_pools/pool-a/queues/zz"), 404, detail="Work queue not found")
    expect("delete queue 204", c.call("DELETE", "/work_pools/default-pool/queues/q1"), 204)
    expect("delete queue again 404", c.call("DELETE", "/work_pools/default-pool/queues/q1"), 404)
    expect("delete pool 204", c.call("DELETE", "/work_pools/pool-a"), 204)
    expect("deleted pool 404", c.call("GET", "/work_pools/pool-a"), 404)
    expect("its queues are gone", c.call("GET", "/work_pools/pool-a/queues/q1"), 404)


def check_projects(c):
    got = expect("create project", c.call("POST", "/projects", body={"name": "proj-b", "description": "B"}), 201)
    check("project envelope with opaque id", isinstance(got, dict) and set(got) == {"data"}
          and got["data"].get("id") == b64id(2) and got["data"].get("name") == "proj-b", got)
    check("opaque id is url-safe base64 without padding", b64id(2) == "UHJvamVjdDoy", b64id(2))
    expect("duplicate project 409", c.call("POST", "/projects", body={"name": "proj-b"}), 409,
           detail="Project already exists")
    expect_422("project name too long", c.call("POST", "/projects", body={"name": "p" * 51}),
               loc=["body", "name"], type_="string_too_long")
    got = expect("list projects", c.call("GET", "/projects"), 200)
    check("list is items/total", isinstance(got, dict) and got.get("total") == 2
          and [p["name"] for p in got.get("items", [])] == ["default", "proj-b"], got)
    got = expect("list projects limit 1", c.call("GET", "/projects?limit=1"), 200)
    check("paged items, full total", len(got["items"]) == 1 and got["total"] == 2, got)
    expect_422("list projects limit 201", c.call("GET", "/projects?limit=201"),
               loc=["query", "limit"], type_="less_than_equal")
    expect("project by opaque id", c.call("GET", f"/projects/{b64id(1)}"), 200,
           body={"data": {"id": b64id(1), "name": "default", "description": "The default project"}})
    expect("project by name", c.call("GET", "/projects/proj-b"), 200)
    expect("project unknown id 404", c.call("GET", f"/projects/{b64id(999)}"), 404, detail="Project not found")
    expect("project garbage identifier 404", c.call("GET", "/projects/%21%21not-base64"), 404,
           detail="Project not found")
    expect("members", c.call("GET", "/projects/default/members"), 200,
           body={"data": [{"username": "admin", "role": "owner"}]})
    expect("members unknown project 404", c.call("GET", "/projects/nope/members"), 404)
    expect("delete project by id 204", c.call("DELETE", f"/projects/{b64id(2)}"), 204)
    expect("deleted project 404 by name", c.call("GET", "/projects/proj-b"), 404)
    got = expect("ids are not reused", c.call("POST", "/projects", body={"name": "proj-b"}), 201)
    check("next id is Project:3", got["data"]["id"] == b64id(3), got)


def check_secrets(c):
    base = "/project/default/secrets"
    expect("secret created", c.call("POST", f"{base}/create_or_update", body={"name": "API_KEY", "value": "v1"}),
           200, body={"name": "API_KEY", "created": True})
    expect("secret updated", c.call("POST", f"/project/{b64id(1)}/secrets/create_or_update",
                                    body={"name": "API_KEY", "value": "v2"}),
           200, body={"name": "API_KEY", "created": False})
    expect_422("secret name pattern", c.call("POST", f"{base}/create_or_update", body={"name": "api", "value": "v"}),
               loc=["body", "name"], type_="string_pattern_mismatch")
    expect("get secret", c.call("POST", f"{base}/get", body={"name": "API_KEY"}), 200,
           body={"name": "API_KEY", "value": "v2"})
    expect("get missing secret 400", c.call("POST", f"{base}/get", body={"name": "NOPE"}), 400,
           body={"code": "resource_not_exists", "message": "Secret NOPE does not exist"})
    c.call("POST", f"{base}/create_or_update", body={"name": "B_KEY", "value": "b"})
    expect("list secrets {}", c.call("POST", f"{base}/list", body={}), 200,
           body={"results": [{"name": "API_KEY"}, {"name": "B_KEY"}]})
    expect("list secrets limit", c.call("POST", f"{base}/list", body={"limit": 1}), 200,
           body={"results": [{"name": "API_KEY"}]})
    expect_422("list secrets needs a body", c.call("POST", f"{base}/list"), loc=["body"], type_="missing")
    expect("secrets of unknown project 404", c.call("POST", "/project/nope/secrets/list", body={}), 404,
           detail="Project not found")
    expect("delete secrets", c.call("POST", f"{base}/delete", body={"names": ["B_KEY", "NOPE"]}), 200,
           body={"deleted": 1})
    expect_422("delete secrets empty list", c.call("POST", f"{base}/delete", body={"names": []}),
               loc=["body", "names"], type_="too_short")


def check_limits_artifacts(c):
    got = expect("create limit", c.call("POST", "/v2/limits/", body={"name": "db", "limit": 5}), 201)
    check("limit body", isinstance(got, dict) and is_uuid(got.get("id")) and got.get("limit") == 5, got)
    lid = got.get("id")
    expect("duplicate limit 409", c.call("POST", "/v2/limits/", body={"name": "db", "limit": 1}), 409)
    expect_422("limit 0", c.call("POST", "/v2/limits/", body={"name": "x", "limit": 0}),
               loc=["body", "limit"], type_="greater_than_equal")
    expect_422("limit 1001", c.call("POST", "/v2/limits/", body={"name": "x", "limit": 1001}),
               loc=["body", "limit"], type_="less_than_equal")
    expect("limit by id", c.call("GET", f"/v2/limits/{lid}"), 200)
    expect("limit by name", c.call("GET", "/v2/limits/db"), 200)
    expect("unknown limit 404", c.call("GET", f"/v2/limits/{uuid.uuid4()}"), 404,
           detail="Concurrency limit not found")
    expect("delete limit by name 204", c.call("DELETE", "/v2/limits/db"), 204)
    expect("deleted limit 404 by id", c.call("GET", f"/v2/limits/{lid}"), 404)

    a1 = expect("artifact v1", c.call("POST", "/artifacts/", body={"key": "report", "data": {"n": 1}}), 201)
    a2 = expect("artifact v2", c.call("POST", "/artifacts/", body={"key": "report", "data": {"n": 2}}), 201)
    check("artifact versions 1 then 2", a1.get("version") == 1 and a2.get("version") == 2
          and is_uuid(a1.get("id")), (a1, a2))
    got = expect("latest artifact", c.call("GET", "/artifacts/report/latest"), 200)
    check("latest is v2", isinstance(got, dict) and got.get("version") == 2 and got.get("data") == {"n": 2}, got)
    expect("latest of unknown key 404", c.call("GET", "/artifacts/nope/latest"), 404, detail="Artifact not found")
    expect_422("artifact key pattern", c.call("POST", "/artifacts/", body={"key": "1bad", "data": {}}),
               loc=["body", "key"], type_="string_pattern_mismatch")
    expect_422("artifact data must be an object", c.call("POST", "/artifacts/", body={"key": "k", "data": [1]}),
               loc=["body", "data"], type_="dict_type")
    expect_422("delete artifact by non-uuid", c.call("DELETE", "/artifacts/report"),
               loc=["path", "id"], type_="uuid_parsing")
    expect("delete artifact 204", c.call("DELETE", f"/artifacts/{a2['id']}"), 204)
    expect("delete artifact again 404", c.call("DELETE", f"/artifacts/{a2['id']}"), 404)
    got = expect("latest after delete", c.call("GET", "/artifacts/report/latest"), 200)
    check("latest falls back to v1", got.get("version") == 1, got)


def check_users(c):
    got = expect("create user", c.call("POST", "/users/", body={"email": "jane@example.com", "username": "jane_doe"}),
                 201)
    check("user id is an int", isinstance(got, dict) and got.get("id") == 1 and got.get("email") == "jane@example.com",
          got)
    expect("duplicate email 409 (case-insensitive)",
           c.call("POST", "/users/", body={"email": "JANE@example.com", "username": "other"}), 409,
           detail="Email already registered")
    expect("duplicate username 409", c.call("POST", "/users/", body={"email": "x@example.com", "username": "jane_doe"}),
           409, detail="Username already taken")
    expect_422("bad email", c.call("POST", "/users/", body={"email": "not-an-email", "username": "abc"}),
               loc=["body", "email"], type_="value_error")
    expect_422("username too short", c.call("POST", "/users/", body={"email": "a@example.com", "username": "ab"}),
               loc=["body", "username"], type_="string_too_short")
    expect_422("username pattern", c.call("POST", "/users/", body={"email": "a@example.com", "username": "a b c"}),
               loc=["body", "username"], type_="string_pattern_mismatch")
    expect("second user", c.call("POST", "/users/", body={"email": "bob@example.com", "username": "bob"}), 201)
    expect("get user", c.call("GET", "/users/1"), 200)
    expect_422("user id not int", c.call("GET", "/users/abc"), loc=["path", "user_id"], type_="int_parsing")
    got = expect("patch user", c.call("PATCH", "/users/1", body={"full_name": "Jane D"}), 200)
    check("patch kept email", got.get("full_name") == "Jane D" and got.get("email") == "jane@example.com", got)
    expect("patch to a taken email 409", c.call("PATCH", "/users/1", body={"email": "bob@example.com"}), 409)
    expect("patch own email again ok", c.call("PATCH", "/users/1", body={"email": "jane@example.com"}), 200)
    expect("delete user 204", c.call("DELETE", "/users/2"), 204)
    expect("deleted user 404", c.call("GET", "/users/2"), 404, detail="User not found")
    expect("email free again", c.call("POST", "/users/", body={"email": "bob@example.com", "username": "bob"}), 201)


def check_runs(c):
    expect("run under an unknown project 404", c.call("POST", "/runs/", body={"project": "nope", "name": "r"}),
           404, detail="Project not found")
    got = expect("run under the default project by id", c.call("POST", "/runs/", body={"project": b64id(1),
                                                                                        "name": "r"}), 201)
    check("run names its project's id", got.get("project") == b64id(1) and is_uuid(got.get("id")), got)
    expect("run under the default project by name",
           c.call("POST", "/runs/", body={"project": "default", "name": "r2"}), 201)
    expect("get run", c.call("GET", f"/runs/{got['id']}"), 200)
    expect("delete run 204", c.call("DELETE", f"/runs/{got['id']}"), 204)
    expect("deleted run 404", c.call("GET", f"/runs/{got['id']}"), 404, detail="Run not found")


def check_flags(c):
    got = expect("list flags", c.call("GET", "/flags"), 200)
    check("one flag, off", got == {"items": [{"name": "beta-ui", "enabled": False}]}, got)
    expect("unknown flag 404", c.call("POST", "/flags/nope/toggle"), 404, detail="Flag not found")
    expect("toggle on", c.call("POST", "/flags/beta-ui/toggle"), 200, {"name": "beta-ui", "enabled": True})
    got = expect("a toggled flag is counted", c.call("GET", "/_fixture/inventory"), 200)
    check("one toggle counted", got.get("flag_toggles") == 1, got)
    expect("toggle off", c.call("POST", "/flags/beta-ui/toggle"), 200, {"name": "beta-ui", "enabled": False})


def check_own_login(c):
    expect("rename the login", c.call("PUT", "/me", body={"username": "renamed"}), 200)
    st, _ = c.login()
    check("the old name no longer logs in", st == 400, st)
    st, _ = c.login("renamed")
    check("the new name does", st == 200, st)
    expect("rename it back", c.call("PUT", "/me", body={"username": "admin"}), 200)
    expect("logout 204", c.call("POST", "/auth/logout"), 204)
    st, _, _ = c.call("GET", "/work_pools/default-pool")
    check("the token is gone after logout", st == 401, st)
    st, _ = c.login()
    check("login again after logout", st == 200, st)


def check_fixture_routes(c, doc):
    got = expect("inventory after the runs", c.call("GET", "/_fixture/inventory"), 200)
    check("inventory counts", got == {"work_pools": 1, "queues": 1, "projects": 2, "secrets": 1, "limits": 0,
                                      "artifacts": 1, "users": 2, "runs": 1, "flag_toggles": 2}, got)
    c.call("GET", "/definitely/not/a/route")
    got = expect("requests report", c.call("GET", "/_fixture/requests"), 200)
    routes = got.get("routes", [])
    in_schema = {(r["route"], r["method"].lower()) for r in routes if r["in_schema"]}
    documented = {(p, m) for p, ops in doc["paths"].items() for m in ops}
    check("every in-schema route counted is documented", in_schema <= documented, in_schema - documented)
    check("every documented operation was called", documented <= in_schema, documented - in_schema)
    check("undocumented routes seen: only openapi.json",
          {r["route"] for r in routes if not r["in_schema"]} == {"/openapi.json"},
          [r for r in routes if not r["in_schema"]])
    check("unmatched path recorded", any(u["path"] == "/definitely/not/a/route" and u["statuses"] == {"404": 1}
                                         for u in got.get("unmatched", [])), got.get("unmatched"))
    wp = [r for r in routes if r["route"] == "/work_pools/" and r["method"] == "POST"]
    check("per-route statuses", wp and wp[0]["statuses"].get("201") == 1 and wp[0]["statuses"].get("409") == 1
          and wp[0]["statuses"].get("422", 0) >= 5, wp)
    check("by_status totals", sum(got["by_status"].values()) == got["total"]
          and got["total"] == sum(r["count"] for r in routes) + sum(u["count"] for u in got["unmatched"]), got)
    check("fixture requests counted apart", got.get("fixture_requests", 0) >= 2, got.get("fixture_requests"))
    got = expect("reset", c.call("POST", "/_fixture/reset"), 200)
    expect("inventory after reset", c.call("GET", "/_fixture/inventory"), 200, body=INITIAL)
    got = expect("requests after reset", c.call("GET", "/_fixture/requests"), 200)
    check("request counts reset", got.get("total") == 0 and got.get("routes") == [], got)
    expect("token survives reset", c.call("GET", "/work_pools/default-pool"), 200)
    got = expect("project ids restart after reset", c.call("POST", "/projects", body={"name": "again"}), 201)
    check("Project:2 after reset", got["data"]["id"] == b64id(2), got)
    c.call("POST", "/_fixture/reset")


def main():
    with server() as port:
        c = Client(port)
        expect("initial inventory", c.call("GET", "/_fixture/inventory"), 200, body=INITIAL)
        doc = check_openapi(c)
        check_auth(c)
        check_work_pools(c)
        check_projects(c)
        check_secrets(c)
        check_limits_artifacts(c)
        check_users(c)
        check_runs(c)
        check_flags(c)
        check_own_login(c)
        check_fixture_routes(c, doc)

    with server(env={"REALISTIC_AUTH": "0"}) as port:
        c = Client(port)
        check_openapi(c, auth_on=False)
        expect("auth off: no token needed", c.call("GET", "/work_pools/default-pool"), 200)
        expect("auth off: create without token", c.call("POST", "/projects", body={"name": "p"}), 201)

    with server(env={"REALISTIC_TOKEN_TTL": "1", "REALISTIC_USERNAME": "u1", "REALISTIC_PASSWORD": "p1"}) as port:
        c = Client(port)
        st, _ = c.login()
        check("default credentials rejected when overridden", st == 400, st)
        st, _ = c.login("u1", "p1")
        check("login with env credentials", st == 200, st)
        expect("fresh token works", c.call("GET", "/health"), 200)
        expect("fresh token works on a protected route", c.call("GET", "/projects"), 200)
        time.sleep(1.3)
        st, hdrs, got = c.call("GET", "/projects")
        check("expired token 401", st == 401 and got == {"detail": "Token expired"}
              and hdrs.get("www-authenticate") == "Bearer", f"{st} {got}")
        st, _ = c.login("u1", "p1")
        expect("re-login works", c.call("GET", "/projects"), 200)
        got = c.call("GET", "/projects/default/members")[2]
        check("members owner is the env user", got == {"data": [{"username": "u1", "role": "owner"}]}, got)

    with server("--root-path", "/api") as port:
        c = Client(port, base="/api")
        st, _, doc = c.call("GET", "/openapi.json", auth=False)
        check("root path: /api/openapi.json", st == 200 and isinstance(doc, dict), st)
        check("root path: servers is [{url: /api}]", doc.get("servers") == [{"url": "/api"}], doc.get("servers"))
        check("root path: paths stay unprefixed", set(doc.get("paths", {})) == set(EXPECTED_PATHS),
              sorted(doc.get("paths", {})))
        check("root path: tokenUrl stays relative",
              doc["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"]
              == "auth/token", "")
        expect("root path: /api/health", c.call("GET", "/health"), 200, {"status": "ok"})
        bare = Client(port)
        expect("root path: /health outside the prefix 404", bare.call("GET", "/health"), 404,
               detail="Not Found")
        expect("root path: /openapi.json outside the prefix 404", bare.call("GET", "/openapi.json"), 404)
        st, _, html = c.call("GET", "/docs", auth=False)
        check("root path: /api/docs points at /api/openapi.json", st == 200 and "/api/openapi.json" in str(html), st)
        expect("root path: 401 without token", c.call("GET", "/work_pools/default-pool"), 401)
        st, _ = c.login()
        check("root path: login at /api/auth/token", st == 200, st)
        expect("root path: bearer works", c.call("GET", "/work_pools/default-pool"), 200)
        expect("root path: create", c.call("POST", "/work_pools/", body={"name": "p1"}), 201)
        expect("root path: inventory", c.call("GET", "/_fixture/inventory"), 200,
               body={**INITIAL, "work_pools": 2})
        got = c.call("GET", "/_fixture/requests")[2]
        check("root path: templates unprefixed", any(r["route"] == "/work_pools/" for r in got["routes"]), got)
        check("root path: outside-prefix requests counted as unmatched",
              {u["path"] for u in got["unmatched"]} == {"/health", "/openapi.json"}, got["unmatched"])

    print(f"{PASSED} passed, {FAILED} failed")
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
