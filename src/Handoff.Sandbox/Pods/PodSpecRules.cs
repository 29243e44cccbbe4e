using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Pods;

/// <summary>
/// The API server's defaulting and validation of a pod spec, for pods and for pod templates (Jobs): containers,
/// restart policy, resources (requests from limits, integer extended resources, requests ≤ limits, = for extended).
/// </summary>
internal static class PodSpecRules
{
    /// <summary>SetDefaults_PodSpec and SetDefaults_Container for the fields clients read.</summary>
    public static void Default(JsonObject spec)
    {
        spec["restartPolicy"] ??= "Always";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["schedulerName"] ??= "default-scheduler";
        spec["securityContext"] ??= new JsonObject();
        foreach (var c in PodRequests.Containers(spec, "containers").Concat(PodRequests.Containers(spec, "initContainers")))
        {
            c["terminationMessagePath"] ??= "/dev/termination-log";
            c["terminationMessagePolicy"] ??= "File";
            var resources = c["resources"] as JsonObject ?? [];
            c["resources"] = resources;
            if (resources["limits"] is JsonObject limits)
            {
                // A limit without a request is also the request.
                var requests = resources["requests"] as JsonObject ?? [];
                foreach (var (name, value) in limits)
                {
                    requests[name] ??= value?.DeepClone();
                }

                resources["requests"] = requests;
            }

            if (c["imagePullPolicy"] is null)
            {
                var image = JsonNodes.GetString(c, "image") ?? "";
                var tagged = image.LastIndexOf(':') > image.LastIndexOf('/') && !image.EndsWith(":latest", StringComparison.Ordinal);
                c["imagePullPolicy"] = tagged || image.Contains('@', StringComparison.Ordinal) ? "IfNotPresent" : "Always";
            }
        }
    }

    /// <summary>Guaranteed (cpu and memory limits equal to requests in every container), BestEffort (no requests or limits) or Burstable.</summary>
    public static string QosClass(JsonObject spec)
    {
        var containers = PodRequests.Containers(spec, "containers").Concat(PodRequests.Containers(spec, "initContainers")).ToList();
        var any = false;
        var guaranteed = containers.Count > 0;
        foreach (var c in containers)
        {
            var requests = PodRequests.Requests(c);
            var limits = PodRequests.Limits(c);
            any |= requests.Keys.Concat(limits.Keys).Any(n => n is "cpu" or "memory");
            foreach (var name in new[] { "cpu", "memory" })
            {
                guaranteed &= limits.ContainsKey(name) && requests.Get(name) == limits.Get(name);
            }
        }

        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }

    /// <summary>Validates the spec at <paramref name="path"/> (<c>spec</c> of a pod, <c>spec.template.spec</c> of a Job).</summary>
    public static void Validate(JsonObject? spec, string path, List<FieldCause> causes)
    {
        if (spec?["containers"] is not JsonArray containers || containers.Count == 0)
        {
            causes.Add(FieldCause.Required($"{path}.containers"));
        }
        else
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < containers.Count; i++)
            {
                var c = containers[i] as JsonObject;
                var field = $"{path}.containers[{i}]";
                var cname = JsonNodes.GetString(c, "name") ?? "";
                if (cname.Length == 0)
                {
                    causes.Add(FieldCause.Required($"{field}.name"));
                }
                else if (!MetadataRules.IsDns1123Label(cname))
                {
                    causes.Add(FieldCause.Invalid($"{field}.name", FieldCause.Quote(cname), MetadataRules.Dns1123LabelMessage));
                }
                else if (!names.Add(cname))
                {
                    causes.Add(new FieldCause("FieldValueDuplicate", $"{field}.name", $"{field}.name: Duplicate value: {FieldCause.Quote(cname)}"));
                }

                if (string.IsNullOrEmpty(JsonNodes.GetString(c, "image")))
                {
                    causes.Add(FieldCause.Required($"{field}.image"));
                }

                if (c is not null)
                {
                    ValidateResources(c, $"{field}.resources", causes);
                }
            }
        }

        var policy = JsonNodes.GetString(spec, "restartPolicy");
        if (policy is not null and not ("Always" or "OnFailure" or "Never"))
        {
            causes.Add(FieldCause.NotSupported($"{path}.restartPolicy", FieldCause.Quote(policy), ["Always", "OnFailure", "Never"]));
        }
    }

    /// <summary>ValidateResourceRequirements: quantities, integer extended resources, requests ≤ limits (= for resources that cannot be overcommitted).</summary>
    private static void ValidateResources(JsonObject container, string path, List<FieldCause> causes)
    {
        var requests = JsonNodes.At(container, "resources", "requests") as JsonObject;
        var limits = JsonNodes.At(container, "resources", "limits") as JsonObject;
        foreach (var (list, values) in new[] { ("limits", limits), ("requests", requests) })
        {
            foreach (var (name, value) in values ?? [])
            {
                var text = JsonNodes.ScalarText(value);
                var field = $"{path}.{list}[{name}]";
                if (!name.Contains('/', StringComparison.Ordinal) && name is not ("cpu" or "memory" or "ephemeral-storage") && !name.StartsWith("hugepages-", StringComparison.Ordinal))
                {
                    // Names without a domain are Kubernetes' own (Handoff-only names such as gpu never belong in a pod).
                    causes.Add(FieldCause.Invalid(field, FieldCause.Quote(name), "must be a standard resource for containers"));
                }
                else if (!ResourceAmounts.TryParse(text, out var amount))
                {
                    causes.Add(FieldCause.Invalid(field, FieldCause.Quote(text), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
                }
                else if (amount < 0)
                {
                    causes.Add(FieldCause.Invalid(field, FieldCause.Quote(ResourceAmounts.Canonical(text)), "must be greater than or equal to 0"));
                }
                else if (ResourceAmounts.IsExtended(name) && amount != decimal.Truncate(amount))
                {
                    causes.Add(FieldCause.Invalid(field, FieldCause.Quote(ResourceAmounts.Canonical(text)), "must be an integer"));
                }
            }
        }

        foreach (var (name, value) in requests ?? [])
        {
            var text = JsonNodes.ScalarText(value);
            if (!ResourceAmounts.TryParse(text, out var request))
            {
                continue;
            }

            if (limits?[name] is { } limitNode && ResourceAmounts.TryParse(JsonNodes.ScalarText(limitNode), out var limit))
            {
                var limitText = ResourceAmounts.Canonical(JsonNodes.ScalarText(limitNode));
                if (request != limit && !ResourceAmounts.IsOvercommitAllowed(name))
                {
                    causes.Add(FieldCause.Invalid($"{path}.requests", FieldCause.Quote(ResourceAmounts.Canonical(text)), $"must be equal to {name} limit of {limitText}"));
                }
                else if (request > limit)
                {
                    causes.Add(FieldCause.Invalid($"{path}.requests", FieldCause.Quote(ResourceAmounts.Canonical(text)), $"must be less than or equal to {name} limit of {limitText}"));
                }
            }
            else if (limits?[name] is null && !ResourceAmounts.IsOvercommitAllowed(name))
            {
                causes.Add(FieldCause.Required($"{path}.limits", "Limit must be set for non overcommitable resources"));
            }
        }
    }

    /// <summary>Whether an update changed only what a pod's spec may change (images, activeDeadlineSeconds, tolerations, grace period, scheduling gates).</summary>
    public static bool SameMutableView(JsonNode? oldSpec, JsonNode? newSpec)
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
