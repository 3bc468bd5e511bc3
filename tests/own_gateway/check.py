"""Checks the own-gateway fixture against a real server.

Starts `serve.sh 0`, talks to it over HTTP with the standard library only, prints one
line per failure and a closing `N passed, M failed`, exits non-zero on any failure, and
stops the server. Run with any python3: `python3 tests/own_gateway/check.py`.
"""

import contextlib
import http.client
import json
import os
import selectors
import signal
import subprocess
import sys
import urllib.parse

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

    def call(self, method, path, body=None, form=None, headers=None, raw_body=None):
        hdrs = dict(headers or {})
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
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


SKU = "ABC-1234"


def check_discovery(c):
    st, _, root = c.call("GET", "/openapi.json")
    check("root openapi.json is JSON", st == 200 and isinstance(root, dict), st)
    check("root documents only /health", set(root.get("paths", {})) == {"/health"}, sorted(root.get("paths", {})))
    check("root has no servers entry", "servers" not in root, root.get("servers"))
    check("root mentions no sub-app", "/users" not in json.dumps(root) and "/catalog" not in json.dumps(root), "")
    expect("health", c.call("GET", "/health"), 200, {"status": "ok"})
    expect("no services listing", c.call("GET", "/gateway/services"), 404)

    st, _, users = c.call("GET", "/users/openapi.json")
    check("/users/openapi.json is JSON", st == 200 and isinstance(users, dict), st)
    check("/users servers[0].url is the prefix", users.get("servers") == [{"url": "/users"}], users.get("servers"))
    check("/users paths", {p: set(o) for p, o in users.get("paths", {}).items()}
          == {"/": {"get", "post"}, "/{user_id}": {"get", "put", "delete"}}, sorted(users.get("paths", {})))
    check("/users email format", users["components"]["schemas"]["UserIn"]["properties"]["email"].get("format")
          == "email", "")

    st, _, cat = c.call("GET", "/catalog/openapi.json")
    check("/catalog/openapi.json is JSON", st == 200 and isinstance(cat, dict), st)
    check("/catalog servers[0].url is the prefix", cat.get("servers") == [{"url": "/catalog"}], cat.get("servers"))
    check("/catalog paths", {p: set(o) for p, o in cat.get("paths", {}).items()}
          == {"/products": {"get", "post"}, "/products/{sku}": {"get", "delete"}}, sorted(cat.get("paths", {})))
    sku_param = cat["paths"]["/products/{sku}"]["get"]["parameters"][0]
    check("sku path parameter has pattern and example",
          sku_param["in"] == "path" and sku_param["schema"].get("pattern") == "^[A-Z]{3}-[0-9]{4}$"
          and sku_param["schema"].get("examples") == [SKU], json.dumps(sku_param))
    body_sku = cat["components"]["schemas"]["ProductIn"]["properties"]["sku"]
    check("sku body field has pattern and example", body_sku.get("pattern") == "^[A-Z]{3}-[0-9]{4}$"
          and body_sku.get("examples") == [SKU], json.dumps(body_sku))
    price = cat["components"]["schemas"]["ProductIn"]["properties"]["price"]
    check("price > 0 documented", price.get("exclusiveMinimum") == 0, json.dumps(price))
    st, _, html = c.call("GET", "/users/docs")
    check("/users/docs points at /users/openapi.json", st == 200 and "/users/openapi.json" in str(html), st)
    st, hdrs, _ = c.call("GET", "/users")
    check("/users without slash redirects to /users/", st == 307 and hdrs.get("location", "").endswith("/users/"),
          f"{st} {hdrs.get('location')}")


def check_users(c):
    expect("no users yet", c.call("GET", "/users/"), 200, [])
    got = expect("create user", c.call("POST", "/users/", body={"email": "jane@example.com", "name": "Jane"}), 201)
    check("user body", got == {"id": 1, "email": "jane@example.com", "name": "Jane"}, got)
    expect("duplicate email 409", c.call("POST", "/users/", body={"email": "Jane@example.com", "name": "J2"}), 409,
           detail="Email already registered")
    expect_422("bad email 422", c.call("POST", "/users/", body={"email": "nope", "name": "x"}),
               loc=["body", "email"], type_="value_error")
    expect_422("missing name 422", c.call("POST", "/users/", body={"email": "x@example.com"}),
               loc=["body", "name"], type_="missing")
    expect("second user", c.call("POST", "/users/", body={"email": "bob@example.com", "name": "Bob"}), 201)
    got = expect("list users", c.call("GET", "/users/"), 200)
    check("two users listed", [u["id"] for u in got] == [1, 2], got)
    expect("get user", c.call("GET", "/users/1"), 200)
    expect_422("user id not int", c.call("GET", "/users/abc"), loc=["path", "user_id"], type_="int_parsing")
    expect("put user", c.call("PUT", "/users/1", body={"email": "jane@example.com", "name": "Jane D"}), 200,
           {"id": 1, "email": "jane@example.com", "name": "Jane D"})
    expect("put to a taken email 409", c.call("PUT", "/users/1", body={"email": "bob@example.com", "name": "J"}), 409)
    expect("put unknown 404", c.call("PUT", "/users/99", body={"email": "z@example.com", "name": "Z"}), 404,
           detail="User not found")
    expect("delete user 204", c.call("DELETE", "/users/2"), 204)
    expect("deleted user 404", c.call("GET", "/users/2"), 404)


def check_catalog(c):
    got = expect("create product", c.call("POST", "/catalog/products",
                                          body={"sku": SKU, "name": "Widget", "price": 9.99}), 201)
    check("product body", got == {"sku": SKU, "name": "Widget", "price": 9.99}, got)
    expect("duplicate sku 409", c.call("POST", "/catalog/products", body={"sku": SKU, "name": "W", "price": 1}),
           409, detail="Product already exists")
    expect_422("bad sku 422", c.call("POST", "/catalog/products", body={"sku": "abc-1234", "name": "W", "price": 1}),
               loc=["body", "sku"], type_="string_pattern_mismatch")
    expect_422("price 0 422", c.call("POST", "/catalog/products", body={"sku": "XYZ-0001", "name": "W", "price": 0}),
               loc=["body", "price"], type_="greater_than")
    expect("second product", c.call("POST", "/catalog/products",
                                    body={"sku": "XYZ-0001", "name": "Gadget", "price": 1.5}), 201)
    got = expect("list products", c.call("GET", "/catalog/products"), 200)
    check("two products listed", [p["sku"] for p in got] == [SKU, "XYZ-0001"], got)
    expect("get product", c.call("GET", f"/catalog/products/{SKU}"), 200)
    expect_422("get product bad sku 422", c.call("GET", "/catalog/products/abc"),
               loc=["path", "sku"], type_="string_pattern_mismatch")
    expect("unknown product 404", c.call("GET", "/catalog/products/QQQ-0000"), 404, detail="Product not found")
    expect("delete product 204", c.call("DELETE", "/catalog/products/XYZ-0001"), 204)
    expect("delete product again 404", c.call("DELETE", "/catalog/products/XYZ-0001"), 404)


def main():
    with server() as port:
        c = Client(port)
        expect("inventory at start", c.call("GET", "/_fixture/inventory"), 200, {"users": 0, "products": 0})
        check_discovery(c)
        check_users(c)
        check_catalog(c)
        expect("inventory counts across the sub-apps", c.call("GET", "/_fixture/inventory"), 200,
               {"users": 1, "products": 1})
    print(f"{PASSED} passed, {FAILED} failed")
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
