import type { UseFormRegisterReturn } from "react-hook-form";

/** A labelled group of radio buttons, each with a line on what it means; the group's error is read with it. */
export function RadioChoices({ id, legend, choices, registration, error }: { id: string; legend: string; choices: readonly (readonly [value: string, label: string, hint: string])[]; registration: UseFormRegisterReturn; error?: string }) {
  return (
    <fieldset aria-describedby={error ? `${id}-error` : undefined}>
      <legend className="text-sm font-medium">{legend}</legend>
      <div className="mt-2 space-y-2">
        {choices.map(([value, label, hint]) => (
          <label key={value} className="flex items-start gap-2 text-sm">
            <input type="radio" value={value} {...registration} className="mt-1" />
            <span>
              {label}
              <span className="block text-xs text-muted">{hint}</span>
            </span>
          </label>
        ))}
      </div>
      {error ? <p id={`${id}-error`} className="mt-1 text-xs text-red-600 dark:text-red-400">{error}</p> : null}
    </fieldset>
  );
}
