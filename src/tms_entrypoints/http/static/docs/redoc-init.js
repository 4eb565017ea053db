// Starts ReDoc on the page's #redoc element, with the OpenAPI document named by its
// data-spec-url. A file rather than an inline script: the docs' Content-Security-Policy
// allows scripts from this server only. Telemetry off: the page talks to this server alone.
import { init } from "./redoc/redoc.standalone.js";

const element = document.getElementById("redoc");
init(element.dataset.specUrl, { disableTelemetry: true }, element);
