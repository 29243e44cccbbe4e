namespace Handoff.Sandbox.Store;

/// <summary>The <c>fieldValidation</c> of a write: what happens to fields the schema does not know.</summary>
internal enum FieldValidation
{
    Ignore,
    Warn,
    Strict,
}
