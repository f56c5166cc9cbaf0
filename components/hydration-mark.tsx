"use client";
import { useEffect } from "react";

/**
 * Marks the document once React has attached its handlers. Until then a click or key press on the
 * server-rendered page can be lost; the browser tests wait for this mark after every navigation.
 */
export function HydrationMark() {
  useEffect(() => {
    document.documentElement.dataset.hydrated = "true";
  }, []);
  return null;
}
