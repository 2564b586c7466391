// Start the NHS.UK frontend components. A file rather than an inline script,
// so the Content-Security-Policy needs no 'unsafe-inline' (see ect_reporting/security.py).
import { initAll } from "./vendor/nhsuk-frontend/nhsuk-frontend.min.js";

initAll();
