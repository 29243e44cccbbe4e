using System.Text.Json.Nodes;
using Handoff.Sandbox.Jobs;
using Handoff.Sandbox.Pods;

namespace Handoff.Sandbox.Store;

/// <summary>Per-kind defaulting and validation that the real API server does for the kinds we serve.</summary>
internal static class KindRules
{
    public static bool IsPod(ResourceType t) => t.Group.Length == 0 && t.Plural == "pods";

    public static bool IsNamespace(ResourceType t) => t.Group.Length == 0 && t.Plural == "namespaces";

    public static bool IsJob(ResourceType t) => t.Group == "batch" && t.Plural == "jobs";

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
                var nsLabels = JsonNodes.Metadata(obj)["labels"] as JsonObject ?? [];
                nsLabels["kubernetes.io/metadata.name"] = JsonNodes.GetString(obj["metadata"], "name");
                JsonNodes.Metadata(obj)["labels"] = nsLabels;
                obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
                obj["status"] = new JsonObject { ["phase"] = "Active" };
                break;
            case "services":
                var spec = obj["spec"] as JsonObject ?? [];
                obj["spec"] = spec;
                spec["type"] ??= "ClusterIP";
                spec["sessionAffinity"] ??= "None";
                if (JsonNodes.GetString(spec, "clusterIP") is not { Length: > 0 } ip)
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
                if (string.IsNullOrEmpty(JsonNodes.GetString(obj, "type")))
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
            case "jobs.batch":
                JobRules.PrepareForCreate(obj);
                break;
            case PriorityRules.Plural + "." + PriorityRules.Group:
                PriorityRules.DefaultClass(obj);
                break;
        }

        _ = now;
    }

    private static void DefaultPod(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? [];
        obj["spec"] = spec;
        PodSpecRules.Default(spec);

        // The ServiceAccount admission plugin (the Priority plugin's part: PriorityRules.AdmitPod).
        spec["enableServiceLinks"] ??= true;
        spec["serviceAccountName"] ??= "default";
        spec["serviceAccount"] ??= spec["serviceAccountName"]!.DeepClone();
        obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = PodSpecRules.QosClass(spec) };
    }

    /// <summary>Validation shared by create and update (beyond CRD schemas).</summary>
    public static List<FieldCause> Validate(ResourceType t, JsonObject obj, JsonObject? old)
    {
        var causes = new List<FieldCause>();
        var name = JsonNodes.ScalarText(JsonNodes.At(obj, "metadata", "name"));
        if (old is null)
        {
            MetadataRules.ValidateName(t, name, causes);
        }

        MetadataRules.ValidateLabelsAndAnnotations(obj["metadata"] as JsonObject, "metadata", causes);
        if (IsPod(t))
        {
            var spec = obj["spec"] as JsonObject;
            PodSpecRules.Validate(spec, "spec", causes);
            if (old is not null && !PodSpecRules.SameMutableView(old["spec"], spec))
            {
                causes.Add(FieldCause.Forbidden("spec",
                    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"));
            }
        }

        if (IsJob(t))
        {
            JobRules.Validate(obj, old, causes);
        }

        if (PriorityRules.IsPriorityClass(t))
        {
            PriorityRules.ValidateClass(obj, old, causes);
        }

        return causes;
    }
}
