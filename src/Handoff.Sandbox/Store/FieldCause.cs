namespace Handoff.Sandbox.Store;

/// <summary>One field error of a 422 Invalid answer (a <c>details.causes[]</c> entry).</summary>
internal sealed record FieldCause(string Reason, string Field, string Message)
{
    public static FieldCause Required(string field, string? detail = null) =>
        new("FieldValueRequired", field, detail is null ? $"{field}: Required value" : $"{field}: Required value: {detail}");

    public static FieldCause Invalid(string field, string valueText, string detail) =>
        new("FieldValueInvalid", field, $"{field}: Invalid value: {valueText}: {detail}");

    public static FieldCause Forbidden(string field, string detail) =>
        new("FieldValueForbidden", field, $"{field}: Forbidden: {detail}");

    public static FieldCause NotSupported(string field, string valueText, IEnumerable<string> supported) =>
        new("FieldValueNotSupported", field, $"{field}: Unsupported value: {valueText}: supported values: {string.Join(", ", supported.Select(Quote))}");

    public static string Quote(string s) => System.Text.Json.JsonSerializer.Serialize(s, JsonNodes.SerializerOptions);
}
