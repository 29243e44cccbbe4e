using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Handoff.Sandbox.Store;

/// <summary>Per-kind defaulting and validation that the real API server does for the kinds we serve.</summary>
internal static partial class KindRules
{
    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    public static bool IsPod(ResourceType t) => t.Group.Length == 0 && t.Plural == "pods";

    public static bool IsNamespace(ResourceType t) => t.Group.Length == 0 && t.Plural == "namespaces";

    public static bool IsCrd(ResourceType t) => t.Group == "apiextensions.k8s.io" && t.Plural == "customresourcedefinitions";

    /// <summary>Defaults and status resets on create.</summary>
    public static void PrepareForCreate(ResourceType t, JsonObject obj, DateTimeOffset now, Func<string> allocateClusterIp)
    {
        if (t.IsCustom && t.HasStatus)
        {
            obj.Remove("status");
        }

        switch (t.GroupResource)
        {
            case "pods":
                DefaultPod(obj);
                break;
            case "namespaces":
                var nsLabels = Jn.Metadata(obj)["labels"] as JsonObject ?? [];
                nsLabels["kubernetes.io/metadata.name"] = Jn.GetString(obj["metadata"], "name");
                Jn.Metadata(obj)["labels"] = nsLabels;
                obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
                obj["status"] = new JsonObject { ["phase"] = "Active" };
                break;
            case "services":
                var spec = obj["spec"] as JsonObject ?? [];
                obj["spec"] = spec;
                spec["type"] ??= "ClusterIP";
                spec["sessionAffinity"] ??= "None";
                if (Jn.GetString(spec, "clusterIP") is not { Length: > 0 } ip)
                {
                    ip = allocateClusterIp();
                    spec["clusterIP"] = ip;
                }

                spec["clusterIPs"] ??= new JsonArray(ip);
                if (spec["ports"] is JsonArray ports)
                {
                    foreach (var p in ports.OfType<JsonObject>())
                    {
                        p["protocol"] ??= "TCP";
                        p["targetPort"] ??= p["port"]?.DeepClone();
                    }
                }

                obj["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
                break;
            case "secrets":
                if (string.IsNullOrEmpty(Jn.GetString(obj, "type")))
                {
                    obj["type"] = "Opaque";
                }

                break;
            case "deployments.apps":
                obj.Remove("status");
                var dspec = obj["spec"] as JsonObject ?? [];
                obj["spec"] = dspec;
                dspec["replicas"] ??= 1;
                dspec["revisionHistoryLimit"] ??= 10;
                dspec["progressDeadlineSeconds"] ??= 600;
                break;
            case "customresourcedefinitions.apiextensions.k8s.io":
                obj.Remove("status");
                break;
        }

        _ = now;
    }

    private static void DefaultPod(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? [];
        obj["spec"] = spec;
        spec["restartPolicy"] ??= "Always";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["schedulerName"] ??= "default-scheduler";
        spec["securityContext"] ??= new JsonObject();
        spec["enableServiceLinks"] ??= true;
        spec["preemptionPolicy"] ??= "PreemptLowerPriority";
        spec["priority"] ??= 0;
        spec["serviceAccountName"] ??= "default";
        spec["serviceAccount"] ??= spec["serviceAccountName"]!.DeepClone();
        foreach (var listName in new[] { "containers", "initContainers" })
        {
            if (spec[listName] is not JsonArray containers)
            {
                continue;
            }

            foreach (var c in containers.OfType<JsonObject>())
            {
                c["terminationMessagePath"] ??= "/dev/termination-log";
                c["terminationMessagePolicy"] ??= "File";
                c["resources"] ??= new JsonObject();
                if (c["imagePullPolicy"] is null)
                {
                    var image = Jn.GetString(c, "image") ?? "";
                    var tagged = image.LastIndexOf(':') > image.LastIndexOf('/') && !image.EndsWith(":latest", StringComparison.Ordinal);
                    c["imagePullPolicy"] = tagged || image.Contains('@', StringComparison.Ordinal) ? "IfNotPresent" : "Always";
                }
            }
        }

        var anyResources = spec["containers"] is JsonArray cs && cs.OfType<JsonObject>().Any(c => c["resources"] is JsonObject r && r.Count > 0);
        obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = anyResources ? "Burstable" : "BestEffort" };
    }

    /// <summary>Validation shared by create and update (beyond CRD schemas).</summary>
    public static List<FieldCause> Validate(ResourceType t, JsonObject obj, JsonObject? old)
    {
        var causes = new List<FieldCause>();
        var name = Jn.ScalarText(Jn.At(obj, "metadata", "name"));
        if (old is null)
        {
            ValidateName(t, name, causes);
        }

        if (IsPod(t))
        {
            ValidatePod(obj, old, causes);
        }

        return causes;
    }

    private static void ValidateName(ResourceType t, string name, List<FieldCause> causes)
    {
        if (t.Group == "rbac.authorization.k8s.io")
        {
            if (name.Contains('/', StringComparison.Ordinal) || name.Contains('%', StringComparison.Ordinal) || name is "." or "..")
            {
                causes.Add(FieldCause.Invalid("metadata.name", FieldCause.Quote(name), "may not contain '/' or '%'"));
            }

            return;
        }

        if (t.NameIsLabel)
        {
            if (name.Length > 63 || !Label().IsMatch(name))
            {
                causes.Add(FieldCause.Invalid("metadata.name", FieldCause.Quote(name), name.Length > 63 ? "must be no more than 63 characters" : LabelMessage));
            }
        }
        else if (name.Length > 253 || !Subdomain().IsMatch(name))
        {
            causes.Add(FieldCause.Invalid("metadata.name", FieldCause.Quote(name), name.Length > 253 ? "must be no more than 253 characters" : SubdomainMessage));
        }
    }

    private static void ValidatePod(JsonObject obj, JsonObject? old, List<FieldCause> causes)
    {
        var spec = obj["spec"] as JsonObject;
        if (spec?["containers"] is not JsonArray containers || containers.Count == 0)
        {
            causes.Add(FieldCause.Required("spec.containers"));
        }
        else
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < containers.Count; i++)
            {
                var c = containers[i] as JsonObject;
                var cname = Jn.GetString(c, "name") ?? "";
                if (cname.Length == 0)
                {
                    causes.Add(FieldCause.Required($"spec.containers[{i}].name"));
                }
                else if (!Label().IsMatch(cname))
                {
                    causes.Add(FieldCause.Invalid($"spec.containers[{i}].name", FieldCause.Quote(cname), LabelMessage));
                }
                else if (!names.Add(cname))
                {
                    causes.Add(new FieldCause("FieldValueDuplicate", $"spec.containers[{i}].name", $"spec.containers[{i}].name: Duplicate value: {FieldCause.Quote(cname)}"));
                }

                if (string.IsNullOrEmpty(Jn.GetString(c, "image")))
                {
                    causes.Add(FieldCause.Required($"spec.containers[{i}].image"));
                }
            }
        }

        var policy = Jn.GetString(spec, "restartPolicy");
        if (policy is not null and not ("Always" or "OnFailure" or "Never"))
        {
            causes.Add(FieldCause.NotSupported("spec.restartPolicy", FieldCause.Quote(policy), ["Always", "OnFailure", "Never"]));
        }

        if (old is not null && !SameMutableView(old["spec"], spec))
        {
            causes.Add(FieldCause.Forbidden("spec",
                "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"));
        }
    }

    private static bool SameMutableView(JsonNode? oldSpec, JsonNode? newSpec)
    {
        static JsonNode? Strip(JsonNode? spec)
        {
            if (spec is not JsonObject o)
            {
                return spec;
            }

            var copy = (JsonObject)o.DeepClone();
            foreach (var key in new[] { "activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds", "schedulingGates" })
            {
                copy.Remove(key);
            }

            foreach (var list in new[] { "containers", "initContainers" })
            {
                if (copy[list] is JsonArray arr)
                {
                    foreach (var c in arr.OfType<JsonObject>())
                    {
                        c.Remove("image");
                    }
                }
            }

            return copy;
        }

        return JsonNode.DeepEquals(Strip(oldSpec), Strip(newSpec));
    }
}
