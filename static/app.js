// Start the NHS.UK frontend components. A file rather than an inline script,
// so the Content-Security-Policy needs no 'unsafe-inline' (see ect_reporting/security.py).
import { initAll } from "./vendor/nhsuk-frontend/nhsuk-frontend.min.js";

initAll();

// After "Add another reaction" or "Remove reaction" the page comes back at the reaction's
// fragment (#reaction-2); move keyboard focus there too, unless an error summary took it.
const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
if (target && target.classList.contains("app-reaction") && !document.querySelector(".nhsuk-error-summary")) {
  target.focus();
}
