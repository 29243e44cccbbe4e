using System.Text.Json.Nodes;
using Handoff.Api.Manifests;
using Handoff.Api.V1Alpha1;

namespace Handoff.Api.Crds.Validation;

/// <summary>A schema error of a manifest object: where, which object, and the API server's message.</summary>
public sealed record ManifestFieldError(ManifestLocation Location, string Object, FieldError Error)
{
    /// <summary><c>dag.yaml:12: HandoffFunction default/sum: spec.maxRetries: Invalid value: -1: spec.maxRetries in body should be greater than or equal to 0</c>.</summary>
    public override string ToString() => $"{Location}: {Object}: {Error.Message}";
}

/// <summary>The outcome of <see cref="CrdValidator.Validate"/>.</summary>
/// <param name="Errors">Every error, in the API server's order; empty when the API server would accept the object.</param>
/// <param name="Defaulted">The object as the API server would store it (schema defaults applied, non-nullable nulls dropped); null when there are errors.</param>
public sealed record CrdValidation(IReadOnlyList<ManifestFieldError> Errors, ManifestObject? Defaulted);

/// <summary>
/// Validates Handoff's own objects against the CRD schemas generated from the C# types (the files in <c>crds/</c>),
/// with the API server's rules and words: an unknown field is an error (<c>kubectl apply</c>'s strict field
/// validation), nulls and defaults are handled as the API server does, then <see cref="StructuralValidator"/>.
/// <c>handoff plan</c> calls it for every Handoff object, so the same schema decides in plan and in a cluster.
/// </summary>
public static class CrdValidator
{
    private static readonly Lazy<Dictionary<string, StructuralValidator>> s_validators = new(() =>
        CrdGenerator.ResourceTypes.ToDictionary(
            t => ((k8s.IKubernetesObject)Activator.CreateInstance(t)!).Kind,
            t => new StructuralValidator(CrdGenerator.GenerateSchema(t)),
            StringComparer.Ordinal));

    /// <summary>Whether the object is of one of Handoff's kinds (those this validator checks).</summary>
    public static bool IsHandoffKind(ManifestObject manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return manifest.ApiVersion == HandoffApi.ApiVersion && s_validators.Value.ContainsKey(manifest.Kind);
    }

    /// <summary>The schema validator of a Handoff kind (also used by tests and the sandbox's checks).</summary>
    public static StructuralValidator For(string kind) =>
        s_validators.Value.TryGetValue(kind, out var validator) ? validator : throw new ArgumentException($"{kind} is not a Handoff kind.", nameof(kind));

    /// <summary>Validates one Handoff object as the API server would on create.</summary>
    /// <exception cref="ArgumentException">the object is not of a Handoff kind (<see cref="IsHandoffKind"/>).</exception>
    public static CrdValidation Validate(ManifestObject manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (!IsHandoffKind(manifest))
        {
            throw new ArgumentException($"{manifest.ApiVersion} {manifest.Kind} is not a Handoff kind.", nameof(manifest));
        }

        var validator = s_validators.Value[manifest.Kind];
        var what = manifest.Describe();
        var errors = new List<ManifestFieldError>();
        var json = (JsonObject)manifest.Json.DeepClone();
        foreach (var unknown in validator.Prune(json, remove: false))
        {
            // The API server's strict field validation (kubectl apply's default) refuses the whole object.
            errors.Add(new ManifestFieldError(manifest.LocationOf(unknown), what,
                new FieldError("FieldValueInvalid", unknown, $"unknown field \"{unknown}\"")));
        }

        if (json["metadata"] is not JsonObject metadata || (metadata["name"] is null && metadata["generateName"] is null))
        {
            errors.Add(new ManifestFieldError(manifest.LocationOf("metadata"), what, FieldError.Required("metadata.name", "name or generateName is required")));
        }

        if (errors.Count > 0)
        {
            return new CrdValidation(errors, null);
        }

        validator.ApplyDefaults(json);
        foreach (var error in validator.Validate(json))
        {
            var at = error.Field == FieldError.NoField ? manifest.Location : manifest.LocationOf(error.Field);
            errors.Add(new ManifestFieldError(at, what, error));
        }

        return new CrdValidation(errors, errors.Count > 0 ? null : new ManifestObject(manifest.Source, json, manifest.Lines));
    }
}
