import { render } from "preact";

import { App } from "./app";
import { applyDisplay, display } from "./display";
import { language } from "./i18n";
import "./styles.css";

applyDisplay(display.get());
document.documentElement.lang = language.get() === "zh" ? "zh-CN" : "en";
render(<App />, document.getElementById("app")!);
