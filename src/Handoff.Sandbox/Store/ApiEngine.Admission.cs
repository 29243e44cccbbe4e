using System.Globalization;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Schema;

namespace Handoff.Sandbox.Store;

/// <summary>Admission: type and namespace checks, unknown fields (fieldValidation), the Priority plugin, per-kind and schema validation.</summary>
internal sealed partial class ApiEngine
{
    private const string GenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
    private int _clusterIpCounter = 10;

    private void CheckTypeMeta(ResourceType t, JsonObject body)
    {
        var apiVersion = JsonNodes.GetString(body, "apiVersion");
        var kind = JsonNodes.GetString(body, "kind");
        if (apiVersion is not null && apiVersion != t.ApiVersion && !(t.IsCustom && apiVersion.StartsWith(t.Group + "/", StringComparison.Ordinal)))
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({t.ApiVersion})");
        }

        if (kind is not null && kind != t.Kind)
        {
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({t.Kind})");
        }

        body["apiVersion"] = t.ApiVersion;
        body["kind"] = t.Kind;
    }

    private void CheckNamespace(ResourceType t, string? ns, JsonObject meta, bool forCreate)
    {
        if (!t.Namespaced)
        {
            meta.Remove("namespace");
            return;
        }

        if (string.IsNullOrEmpty(ns))
        {
            throw ApiException.BadRequest("the namespace of the object must be given");
        }

        var bodyNs = JsonNodes.GetString(meta, "namespace");
        if (!string.IsNullOrEmpty(bodyNs) && bodyNs != ns)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        meta["namespace"] = ns;
        if (!forCreate)
        {
            return;
        }

        var nsType = Registry.Find("", "v1", "namespaces")!;
        var nsObj = TryGet(nsType, null, ns) ?? throw ApiException.NotFound("namespaces", "", "namespaces", ns);
        if (ObjectMeta.IsDeleting(nsObj.Node))
        {
            throw ApiException.Forbidden($"{t.GroupResource} \"{JsonNodes.GetString(meta, "name") ?? JsonNodes.GetString(meta, "generateName")}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                new JsonObject { ["name"] = JsonNodes.GetString(meta, "name"), ["group"] = t.Group, ["kind"] = t.Plural, ["causes"] = new JsonArray(new JsonObject { ["reason"] = "NamespaceTerminating", ["message"] = $"namespace {ns} is being terminated", ["field"] = "metadata.namespace" }) });
        }
    }

    /// <summary>Applies fieldValidation: returns warnings, throws 400 in Strict mode.</summary>
    /// <param name="decode">For built-in kinds: the document to decode instead of the whole body (a merge patch: unknown
    /// fields can only come from it, and it is much smaller). Unknown fields found are dropped from the body unless Strict.</param>
    private static List<string> CheckUnknownFields(ResourceType t, JsonObject body, FieldValidation mode, JsonObject? decode = null)
    {
        List<string> unknown;
        if (t.Schema is { } schema)
        {
            unknown = schema.Prune(body, remove: mode != FieldValidation.Strict);
        }
        else if (t.ModelType is { } model)
        {
            unknown = mode == FieldValidation.Ignore ? [] : BuiltinDecoder.UnknownFields(model, decode ?? body, remove: false);
            if (mode == FieldValidation.Warn)
            {
                foreach (var path in unknown)
                {
                    BuiltinDecoder.RemovePath(body, path);
                }
            }
        }
        else
        {
            unknown = [];
        }

        if (unknown.Count == 0 || mode == FieldValidation.Ignore)
        {
            return [];
        }

        if (mode == FieldValidation.Strict)
        {
            var text = unknown.Count == 1
                ? $"unknown field \"{unknown[0]}\""
                : "[" + string.Join(", ", unknown.Select(u => $"unknown field \"{u}\"")) + "]";
            throw ApiException.BadRequest($"{t.Kind} in version \"{t.Version}\" cannot be handled as a {t.Kind}: strict decoding error: {text}");
        }

        return [.. unknown.Select(u => $"unknown field \"{u}\"")];
    }

    /// <summary>The Priority admission plugin's mutation of a pod being created (<see cref="PriorityRules.AdmitPod"/>).</summary>
    private void AdmitPriority(ResourceType t, JsonObject body, string name)
    {
        if (KindRules.IsPod(t))
        {
            PriorityRules.AdmitPod(body, name, Store.Collection(PriorityRules.Plural + "." + PriorityRules.Group));
        }
    }

    /// <summary>The Priority admission plugin's validation of a PriorityClass written (one global default).</summary>
    private void AdmitPriorityClass(ResourceType t, JsonObject body)
    {
        if (PriorityRules.IsPriorityClass(t))
        {
            PriorityRules.AdmitClass(body, CollectionOf(t));
        }
    }

    private void Validate(ResourceType t, JsonObject obj, JsonObject? old)
    {
        var causes = KindRules.Validate(t, obj, old);
        if (t.Schema is { } schema)
        {
            causes.AddRange(schema.Validate(obj));
        }

        if (KindRules.IsCrd(t))
        {
            // Throws 422 with the CRD's own causes when it cannot be served.
            ResourceRegistry.TypesOf(obj);
        }

        if (causes.Count > 0)
        {
            throw ApiException.Invalid(t.QualifiedKind, t.Group, t.Kind, JsonNodes.ScalarText(JsonNodes.At(obj, "metadata", "name")), causes);
        }
    }

    private string AllocateClusterIp()
    {
        var n = Interlocked.Increment(ref _clusterIpCounter);
        return $"10.96.{(n / 250 % 250).ToString(CultureInfo.InvariantCulture)}.{(n % 250 + 1).ToString(CultureInfo.InvariantCulture)}";
    }

    private static string RandomSuffix() =>
        string.Create(5, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = GenerateNameAlphabet[Random.Shared.Next(GenerateNameAlphabet.Length)];
            }
        });
}
