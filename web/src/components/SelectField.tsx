// A labelled <select> over a list of values, with an optional first "any" choice (value '').
export function SelectField({
  label,
  value,
  onChange,
  options,
  optionLabel = (v) => v,
  any,
  disabled,
  className,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly string[];
  optionLabel?: (value: string) => string;
  any?: string;
  disabled?: boolean;
  className?: string;
}) {
  return (
    <label className={className}>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled}>
        {any !== undefined && <option value="">{any}</option>}
        {options.map((o) => (
          <option key={o} value={o}>
            {optionLabel(o)}
          </option>
        ))}
      </select>
    </label>
  );
}

// A labelled search box whose text applies on Enter (the caller keeps the text as it is typed).
export function SearchField({
  label,
  value,
  onChange,
  onEnter,
  placeholder,
  size,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  onEnter: () => void;
  placeholder?: string;
  size?: number;
}) {
  return (
    <label>
      {label}
      <input
        type="search"
        value={value}
        placeholder={placeholder}
        size={size}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onEnter();
        }}
      />
    </label>
  );
}
