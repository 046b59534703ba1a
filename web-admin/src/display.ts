// Large text and high contrast, for petitioners with low vision; kept in localStorage.
import { signal } from "./signal";

export interface Display {
  largeText: boolean;
  highContrast: boolean;
}

function load(): Display {
  try {
    return { largeText: false, highContrast: false, ...JSON.parse(localStorage.getItem("display") ?? "{}") };
  } catch {
    return { largeText: false, highContrast: false };
  }
}

export const display = signal<Display>(load());

export function applyDisplay(d: Display) {
  document.documentElement.classList.toggle("large-text", d.largeText);
  document.documentElement.classList.toggle("high-contrast", d.highContrast);
}

export function setDisplay(d: Display) {
  localStorage.setItem("display", JSON.stringify(d));
  applyDisplay(d);
  display.set(d);
}
