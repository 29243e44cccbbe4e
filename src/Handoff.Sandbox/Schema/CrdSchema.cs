using System.Text.Json.Nodes;
using Handoff.Api.Crds.Validation;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Schema;

/// <summary>
/// A CRD version's <c>openAPIV3Schema</c> in the emulator: <see cref="StructuralValidator"/> (Handoff.Api), the same
/// validator <c>handoff plan</c> uses, with its errors as the emulator's 422 causes.
/// </summary>
internal sealed class CrdSchema(JsonObject openApiV3Schema)
{
    private readonly StructuralValidator _validator = new(Materialized(openApiV3Schema));

    /// <summary>The schema as given in the CRD (for the OpenAPI documents).</summary>
    public JsonObject OpenApiSchema => _validator.OpenApiSchema;

    /// <summary>Validates <paramref name="obj"/> (pruned and defaulted); the field errors as the API server words them.</summary>
    public List<FieldCause> Validate(JsonObject obj) =>
        [.. _validator.Validate(obj).Select(e => new FieldCause(e.Reason, e.Field, e.Message))];

    /// <summary>Finds (and when <paramref name="remove"/> drops) fields the schema does not declare; returns their paths.</summary>
    public List<string> Prune(JsonObject obj, bool remove) => [.. _validator.Prune(obj, remove)];

    /// <summary>Drops non-nullable nulls and applies <c>default</c> values, as the API server does before validating.</summary>
    public void ApplyDefaults(JsonObject obj) => _validator.ApplyDefaults(obj);

    private static JsonObject Materialized(JsonObject schema)
    {
        var copy = (JsonObject)schema.DeepClone();
        JsonNodes.Materialize(copy);
        return copy;
    }
}
