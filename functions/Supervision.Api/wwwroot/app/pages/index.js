// The home: to sign-in without an identity, else to the page of the person's first role. A file, not an inline
// script: the pages' Content-Security-Policy allows scripts from the site only (docs/decisions.md, W1).
import { api, getCookie, homeOf } from "../shell.js";

if (!getCookie("supervision-user")) location.replace("signin.html");
else api("/api/me").then((me) => location.replace(homeOf(me))).catch(() => location.replace("signin.html"));
