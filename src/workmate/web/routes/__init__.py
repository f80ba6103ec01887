"""Page routes, one module per area; each route declares its permission like the API's."""
