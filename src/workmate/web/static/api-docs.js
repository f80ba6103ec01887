// Starts Swagger UI on /docs (a file, not an inline script: the page's CSP allows only 'self').
(function () {
    "use strict";
    var root = document.getElementById("swagger-ui");
    window.ui = window.SwaggerUIBundle({
        url: root.getAttribute("data-openapi-url"),
        dom_id: "#swagger-ui",
        deepLinking: true,
        layout: "BaseLayout",
        presets: [window.SwaggerUIBundle.presets.apis],
    });
})();
