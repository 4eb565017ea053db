// Starts Swagger UI on the page's #swagger-ui element, with the OpenAPI document named by
// its data-spec-url. A file rather than an inline script: the docs' Content-Security-Policy
// allows scripts from this server only.
const element = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: element.dataset.specUrl,
  domNode: element,
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  // The online validator would send the document to a third party.
  validatorUrl: null,
});
