"""A newcomer's own gateway: the most common FastAPI gateway shape, for discovery tests.

The root app has only `GET /health` in its OpenAPI document. Two FastAPI sub-apps are
mounted with `app.mount` at `/users` and `/catalog`; nothing lists them (no services
route, no links): each has its own OpenAPI document at `/users/openapi.json` and
`/catalog/openapi.json`, where FastAPI puts the mount prefix in `servers[0].url`.

Out of band (not in any OpenAPI document): `GET /_fixture/inventory` on the root app
counts the users and products stored across both sub-apps.

In-memory state; every handler is `async def`, so it all runs on uvicorn's single
event loop with no `await` inside a mutation.
"""

from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Path, Response, status
from pydantic import BaseModel, EmailStr, Field

SKU_PATTERN = r"^[A-Z]{3}-[0-9]{4}$"


class HTTPError(BaseModel):
    detail: str


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class UserIn(BaseModel):
    email: EmailStr = Field(examples=["jane@example.com"])
    name: str = Field(min_length=1, max_length=100, examples=["Jane Doe"])


class User(BaseModel):
    id: int
    email: str
    name: str


class ProductIn(BaseModel):
    sku: str = Field(pattern=SKU_PATTERN, examples=["ABC-1234"])
    name: str = Field(min_length=1, max_length=100, examples=["Widget"])
    price: float = Field(gt=0, examples=[9.99])


class Product(BaseModel):
    sku: str
    name: str
    price: float


Sku = Annotated[str, Path(pattern=SKU_PATTERN, examples=["ABC-1234"])]


class Store:
    def __init__(self) -> None:
        self.users: dict[int, dict[str, Any]] = {}
        self.next_user = 1
        self.products: dict[str, dict[str, Any]] = {}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": HTTPError} for code in codes}


def users_app(store: Store) -> FastAPI:
    sub = FastAPI(title="Users service", version="1.0.0")

    def get_user(user_id: int) -> dict[str, Any]:
        user = store.users.get(user_id)
        if user is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
        return user

    def check_email(email: str, skip: int | None = None) -> None:
        if any(u["email"].casefold() == email.casefold() and u["id"] != skip for u in store.users.values()):
            raise HTTPException(status.HTTP_409_CONFLICT, "Email already registered")

    @sub.post("/", response_model=User, status_code=201, responses=_errors(409))
    async def create_user(body: UserIn) -> dict[str, Any]:
        check_email(body.email)
        user = {"id": store.next_user, "email": body.email, "name": body.name}
        store.next_user += 1
        store.users[user["id"]] = user
        return user

    @sub.get("/", response_model=list[User])
    async def list_users() -> list[dict[str, Any]]:
        return [store.users[i] for i in sorted(store.users)]

    @sub.get("/{user_id}", response_model=User, responses=_errors(404))
    async def read_user(user_id: int) -> dict[str, Any]:
        return get_user(user_id)

    @sub.put("/{user_id}", response_model=User, responses=_errors(404, 409))
    async def replace_user(user_id: int, body: UserIn) -> dict[str, Any]:
        user = get_user(user_id)
        check_email(body.email, skip=user_id)
        user.update(email=body.email, name=body.name)
        return user

    @sub.delete("/{user_id}", status_code=204, response_class=Response, responses=_errors(404))
    async def delete_user(user_id: int) -> Response:
        get_user(user_id)
        del store.users[user_id]
        return Response(status_code=204)

    return sub


def catalog_app(store: Store) -> FastAPI:
    sub = FastAPI(title="Catalog service", version="1.0.0")

    def get_product(sku: str) -> dict[str, Any]:
        product = store.products.get(sku)
        if product is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Product not found")
        return product

    @sub.post("/products", response_model=Product, status_code=201, responses=_errors(409))
    async def create_product(body: ProductIn) -> dict[str, Any]:
        if body.sku in store.products:
            raise HTTPException(status.HTTP_409_CONFLICT, "Product already exists")
        product = body.model_dump()
        store.products[body.sku] = product
        return product

    @sub.get("/products", response_model=list[Product])
    async def list_products() -> list[dict[str, Any]]:
        return [store.products[sku] for sku in sorted(store.products)]

    @sub.get("/products/{sku}", response_model=Product, responses=_errors(404))
    async def read_product(sku: Sku) -> dict[str, Any]:
        return get_product(sku)

    @sub.delete("/products/{sku}", status_code=204, response_class=Response, responses=_errors(404))
    async def delete_product(sku: Sku) -> Response:
        get_product(sku)
        del store.products[sku]
        return Response(status_code=204)

    return sub


def create_app() -> FastAPI:
    store = Store()
    app = FastAPI(title="My gateway", version="0.1.0")

    @app.get("/health", response_model=Health)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/_fixture/inventory", include_in_schema=False)
    async def fixture_inventory() -> dict[str, int]:
        return {"users": len(store.users), "products": len(store.products)}

    app.mount("/users", users_app(store))
    app.mount("/catalog", catalog_app(store))
    app.state.store = store
    return app


app = create_app()
