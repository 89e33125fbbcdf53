/**
 * The password inputs of signing in, first-run setup and changing the password. The autocomplete
 * values tell password managers which field to fill with the stored password and where to offer
 * a new one, so every page gets them the same way from here.
 */
import { Field } from './ui';

/** The server refuses shorter passwords; the browser says so before the form is sent. */
export const MIN_PASSWORD_LENGTH = 8;

/** The password the user has now (sign-in, proving who they are before a change). */
export function CurrentPasswordField(props: {
  label: string;
  name?: string;
  value: string;
  onValue: (value: string) => void;
}) {
  return (
    <Field
      label={props.label}
      name={props.name}
      type="password"
      autocomplete="current-password"
      required
      value={props.value}
      onInput={(e) => props.onValue(e.currentTarget.value)}
    />
  );
}

/** A new password and its confirmation; the page compares the two in its own words. */
export function NewPasswordFields(props: {
  labels: { password: string; confirm: string };
  names?: { password: string; confirm: string };
  hint?: string;
  password: string;
  confirm: string;
  onPassword: (value: string) => void;
  onConfirm: (value: string) => void;
}) {
  return (
    <>
      <Field
        label={props.labels.password}
        name={props.names?.password}
        type="password"
        autocomplete="new-password"
        required
        minLength={MIN_PASSWORD_LENGTH}
        hint={props.hint}
        value={props.password}
        onInput={(e) => props.onPassword(e.currentTarget.value)}
      />
      <Field
        label={props.labels.confirm}
        name={props.names?.confirm}
        type="password"
        autocomplete="new-password"
        required
        value={props.confirm}
        onInput={(e) => props.onConfirm(e.currentTarget.value)}
      />
    </>
  );
}
