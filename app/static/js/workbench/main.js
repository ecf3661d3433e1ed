// The analysis workbench: reads the page's data block and sets up the rotation plot, the flag
// grid and the invert/split choices. No framework; everything the page shows comes from qsort.
import { setupFactorChoices, setupFlags } from "./flags.js";
import { setupPlot } from "./plot.js";

const data = JSON.parse(document.getElementById("wb-data").textContent);
const form = document.getElementById("wb-form");
setupPlot(data, form);
setupFlags(data, form);
setupFactorChoices(form);
document.documentElement.dataset.workbench = "ready";
