using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;

// Over ~400 lines on purpose: a table, one entry per built-in kind the emulator serves.

namespace Handoff.Sandbox.Store;

/// <summary>The built-in kinds the emulator serves, with kubectl-like table columns.</summary>
internal static class BuiltinTypes
{
    private const string None = "<none>";

    public static IReadOnlyList<ResourceType> All { get; } = Create();

    private static TableColumn NameColumn() =>
        new("Name", "string", "name", 0, "Name must be unique within a namespace.", (o, _) => JsonNodes.At(o, "metadata", "name")?.DeepClone());

    public static TableColumn AgeColumn() =>
        new("Age", "string", "", 0, "CreationTimestamp is a timestamp representing the server time when this object was created.", (o, now) => Age(o, now));

    private static TableColumn CreatedAtColumn() =>
        new("Created At", "date", "", 0, "CreationTimestamp is a timestamp representing the server time when this object was created.", (o, _) => JsonNodes.At(o, "metadata", "creationTimestamp")?.DeepClone());

    private static TableColumn Col(string name, Func<JsonObject, DateTimeOffset, JsonNode?> cell, int priority = 0, string type = "string") =>
        new(name, type, "", priority, name, cell);

    public static JsonNode Age(JsonObject o, DateTimeOffset now) =>
        KubeTime.ParseTime(JsonNodes.At(o, "metadata", "creationTimestamp")) is { } created ? KubeTime.HumanDuration(now - created) : "<unknown>";

    private static string Text(JsonObject o, params string[] path) => JsonNodes.ScalarText(JsonNodes.At(o, path));

    private static string OrNone(string s) => s.Length == 0 ? None : s;

    private static int Count(JsonNode? node) => node switch
    {
        JsonObject obj => obj.Count,
        JsonArray arr => arr.Count,
        _ => 0,
    };

    private static List<ResourceType> Create()
    {
        var age = AgeColumn();
        var name = NameColumn();
        var createdAt = CreatedAtColumn();
        var nameAge = new[] { name, age };
        return
        [
            new()
            {
                Group = "", Version = "v1", Plural = "namespaces", Singular = "namespace", Kind = "Namespace", Namespaced = false,
                ShortNames = ["ns"], HasStatus = true, ModelType = typeof(V1Namespace), NameIsLabel = true,
                FieldLabels = new HashSet<string> { "status.phase" },
                Columns = [name, Col("Status", (o, _) => Text(o, "status", "phase")), age],
            },
            new()
            {
                Group = "", Version = "v1", Plural = "nodes", Singular = "node", Kind = "Node", Namespaced = false,
                ShortNames = ["no"], HasStatus = true, ModelType = typeof(V1Node),
                FieldLabels = new HashSet<string> { "spec.unschedulable" },
                Columns =
                [
                    name, Col("Status", (o, _) => NodeStatus(o)), Col("Roles", (o, _) => NodeRoles(o)), age,
                    Col("Version", (o, _) => Text(o, "status", "nodeInfo", "kubeletVersion")),
                    Col("Internal-IP", (o, _) => OrNone(NodeAddress(o, "InternalIP")), 1),
                    Col("External-IP", (o, _) => OrNone(NodeAddress(o, "ExternalIP")), 1),
                    Col("OS-Image", (o, _) => Text(o, "status", "nodeInfo", "osImage"), 1),
                    Col("Kernel-Version", (o, _) => Text(o, "status", "nodeInfo", "kernelVersion"), 1),
                    Col("Container-Runtime", (o, _) => Text(o, "status", "nodeInfo", "containerRuntimeVersion"), 1),
                ],
            },
            new()
            {
                Group = "", Version = "v1", Plural = "pods", Singular = "pod", Kind = "Pod", Namespaced = true,
                ShortNames = ["po"], Categories = ["all"], HasStatus = true, HasBinding = true, ModelType = typeof(V1Pod),
                FieldLabels = new HashSet<string>
                {
                    "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
                    "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName",
                },
                Columns =
                [
                    name,
                    Col("Ready", (o, _) => PodReady(o)),
                    Col("Status", (o, _) => PodStatus(o)),
                    Col("Restarts", (o, _) => PodRestarts(o), type: "string"),
                    age,
                    Col("IP", (o, _) => OrNone(Text(o, "status", "podIP")), 1),
                    Col("Node", (o, _) => OrNone(Text(o, "spec", "nodeName")), 1),
                    Col("Nominated Node", (o, _) => OrNone(Text(o, "status", "nominatedNodeName")), 1),
                    Col("Readiness Gates", (_, _) => None, 1),
                ],
            },
            new()
            {
                Group = "", Version = "v1", Plural = "events", Singular = "event", Kind = "Event", Namespaced = true,
                ShortNames = ["ev"], ModelType = typeof(Corev1Event),
                FieldLabels = new HashSet<string> { "reason", "reportingComponent", "source", "type" },
                FieldLabelPrefixes = ["involvedObject."],
                Columns =
                [
                    Col("Last Seen", (o, now) => EventLastSeen(o, now)), Col("Type", (o, _) => Text(o, "type")),
                    Col("Reason", (o, _) => Text(o, "reason")),
                    Col("Object", (o, _) => EventObject(o, "involvedObject")), Col("Message", (o, _) => Text(o, "message")),
                ],
            },
            new()
            {
                Group = "events.k8s.io", Version = "v1", Plural = "events", Singular = "event", Kind = "Event", Namespaced = true,
                ShortNames = ["ev"], ModelType = typeof(Eventsv1Event),
                FieldLabels = new HashSet<string> { "reason", "reportingController", "type" },
                FieldLabelPrefixes = ["regarding."],
                Columns =
                [
                    Col("Last Seen", (o, now) => EventLastSeen(o, now)), Col("Type", (o, _) => Text(o, "type")),
                    Col("Reason", (o, _) => Text(o, "reason")),
                    Col("Object", (o, _) => EventObject(o, "regarding")), Col("Message", (o, _) => Text(o, "note")),
                ],
            },
            new()
            {
                Group = "", Version = "v1", Plural = "configmaps", Singular = "configmap", Kind = "ConfigMap", Namespaced = true,
                ShortNames = ["cm"], ModelType = typeof(V1ConfigMap),
                Columns = [name, Col("Data", (o, _) => Count(o["data"]) + Count(o["binaryData"]), type: "integer"), age],
            },
            new()
            {
                Group = "", Version = "v1", Plural = "secrets", Singular = "secret", Kind = "Secret", Namespaced = true,
                ModelType = typeof(V1Secret), FieldLabels = new HashSet<string> { "type" },
                Columns = [name, Col("Type", (o, _) => Text(o, "type")), Col("Data", (o, _) => Count(o["data"]), type: "integer"), age],
            },
            new()
            {
                Group = "", Version = "v1", Plural = "serviceaccounts", Singular = "serviceaccount", Kind = "ServiceAccount", Namespaced = true,
                ShortNames = ["sa"], ModelType = typeof(V1ServiceAccount), HasToken = true,
                Columns = [name, Col("Secrets", (o, _) => Count(o["secrets"]), type: "integer"), age],
            },
            new()
            {
                Group = "", Version = "v1", Plural = "services", Singular = "service", Kind = "Service", Namespaced = true,
                ShortNames = ["svc"], Categories = ["all"], HasStatus = true, ModelType = typeof(V1Service), NameIsLabel = true,
                Columns =
                [
                    name, Col("Type", (o, _) => Text(o, "spec", "type")), Col("Cluster-IP", (o, _) => OrNone(Text(o, "spec", "clusterIP"))),
                    Col("External-IP", (_, _) => None), Col("Port(s)", (o, _) => ServicePorts(o)), age,
                    Col("Selector", (o, _) => Selector(o["spec"]?["selector"]), 1),
                ],
            },
            new()
            {
                Group = "apps", Version = "v1", Plural = "deployments", Singular = "deployment", Kind = "Deployment", Namespaced = true,
                ShortNames = ["deploy"], Categories = ["all"], HasStatus = true, ModelType = typeof(V1Deployment),
                Columns =
                [
                    name,
                    Col("Ready", (o, _) => $"{JsonNodes.ScalarText(JsonNodes.At(o, "status", "readyReplicas")).PadLeft(1, '0')}/{Replicas(o)}"),
                    Col("Up-to-date", (o, _) => IntOrZero(JsonNodes.At(o, "status", "updatedReplicas")), type: "integer"),
                    Col("Available", (o, _) => IntOrZero(JsonNodes.At(o, "status", "availableReplicas")), type: "integer"),
                    age,
                ],
            },
            new()
            {
                Group = "batch", Version = "v1", Plural = "jobs", Singular = "job", Kind = "Job", Namespaced = true,
                Categories = ["all"], HasStatus = true, ModelType = typeof(V1Job), FieldLabels = new HashSet<string> { "status.successful" },
                Columns =
                [
                    name, Col("Status", (o, _) => JobStatus(o)), Col("Completions", (o, _) => JobCompletions(o)),
                    Col("Duration", (o, now) => JobDuration(o, now)), age,
                    Col("Containers", (o, _) => ContainerField(o, "name"), 1), Col("Images", (o, _) => ContainerField(o, "image"), 1),
                    Col("Selector", (o, _) => Selector(Jn(o, "spec", "selector", "matchLabels")), 1),
                ],
            },
            new()
            {
                Group = "coordination.k8s.io", Version = "v1", Plural = "leases", Singular = "lease", Kind = "Lease", Namespaced = true,
                ModelType = typeof(V1Lease),
                Columns = [name, Col("Holder", (o, _) => Text(o, "spec", "holderIdentity")), age],
            },
            new()
            {
                Group = "rbac.authorization.k8s.io", Version = "v1", Plural = "roles", Singular = "role", Kind = "Role", Namespaced = true,
                ModelType = typeof(V1Role), Columns = [name, createdAt],
            },
            new()
            {
                Group = "rbac.authorization.k8s.io", Version = "v1", Plural = "clusterroles", Singular = "clusterrole", Kind = "ClusterRole", Namespaced = false,
                ModelType = typeof(V1ClusterRole), Columns = [name, createdAt],
            },
            new()
            {
                Group = "rbac.authorization.k8s.io", Version = "v1", Plural = "rolebindings", Singular = "rolebinding", Kind = "RoleBinding", Namespaced = true,
                ModelType = typeof(V1RoleBinding),
                Columns = [name, Col("Role", (o, _) => $"{Text(o, "roleRef", "kind")}/{Text(o, "roleRef", "name")}"), age],
            },
            new()
            {
                Group = "rbac.authorization.k8s.io", Version = "v1", Plural = "clusterrolebindings", Singular = "clusterrolebinding", Kind = "ClusterRoleBinding", Namespaced = false,
                ModelType = typeof(V1ClusterRoleBinding),
                Columns = [name, Col("Role", (o, _) => $"{Text(o, "roleRef", "kind")}/{Text(o, "roleRef", "name")}"), age],
            },
            new()
            {
                Group = "apiextensions.k8s.io", Version = "v1", Plural = "customresourcedefinitions", Singular = "customresourcedefinition",
                Kind = "CustomResourceDefinition", Namespaced = false, ShortNames = ["crd", "crds"], HasStatus = true,
                ModelType = typeof(V1CustomResourceDefinition), Columns = [name, createdAt],
            },
            new()
            {
                Group = "policy", Version = "v1", Plural = "poddisruptionbudgets", Singular = "poddisruptionbudget", Kind = "PodDisruptionBudget",
                Namespaced = true, ShortNames = ["pdb"], HasStatus = true, ModelType = typeof(V1PodDisruptionBudget), Columns = nameAge,
            },
            new()
            {
                Group = "networking.k8s.io", Version = "v1", Plural = "networkpolicies", Singular = "networkpolicy", Kind = "NetworkPolicy",
                Namespaced = true, ShortNames = ["netpol"], ModelType = typeof(V1NetworkPolicy),
                Columns = [name, Col("Pod-Selector", (o, _) => Selector(o["spec"]?["podSelector"]?["matchLabels"])), age],
            },
            Review("authentication.k8s.io", "tokenreviews", "TokenReview", typeof(V1TokenReview)),
            Review("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview", typeof(V1SelfSubjectReview)),
            Review("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview", typeof(V1SubjectAccessReview)),
            Review("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview", typeof(V1SelfSubjectAccessReview)),
            Review("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview", typeof(V1SelfSubjectRulesReview)),
            Review("authorization.k8s.io", "localsubjectaccessreviews", "LocalSubjectAccessReview", typeof(V1LocalSubjectAccessReview), namespaced: true),
            new()
            {
                Group = "scheduling.k8s.io", Version = "v1", Plural = "priorityclasses", Singular = "priorityclass", Kind = "PriorityClass",
                Namespaced = false, ShortNames = ["pc"], ModelType = typeof(V1PriorityClass), Columns = nameAge,
            },
        ];
    }

    /// <summary>A create-only review kind of the authentication or authorization API.</summary>
    private static ResourceType Review(string group, string plural, string kind, Type model, bool namespaced = false) => new()
    {
        Group = group,
        Version = "v1",
        Plural = plural,
        Singular = kind.ToLowerInvariant(),
        Kind = kind,
        Namespaced = namespaced,
        ModelType = model,
        IsReview = true,
        Verbs = ["create"],
    };

    private static JsonNode? Jn(JsonObject o, params string[] path) => JsonNodes.At(o, path);

    private static bool HasCondition(JsonObject o, string type) => StatusConditions.Status(o, type) == "True";

    /// <summary>The STATUS column of <c>kubectl get jobs</c> (printJob).</summary>
    private static string JobStatus(JsonObject o) =>
        HasCondition(o, "Complete") ? "Complete"
        : HasCondition(o, "Failed") ? "Failed"
        : Jn(o, "metadata", "deletionTimestamp") is not null ? "Terminating"
        : HasCondition(o, "Suspended") ? "Suspended"
        : HasCondition(o, "FailureTarget") ? "FailureTarget"
        : "Running";

    private static string JobCompletions(JsonObject o)
    {
        var succeeded = IntOrZero(Jn(o, "status", "succeeded"));
        if (Jn(o, "spec", "completions") is not null)
        {
            return $"{succeeded}/{Text(o, "spec", "completions")}";
        }

        var parallelism = IntOrZero(Jn(o, "spec", "parallelism"));
        return parallelism > 1 ? $"{succeeded}/1 of {parallelism}" : $"{succeeded}/1";
    }

    private static string JobDuration(JsonObject o, DateTimeOffset now)
    {
        if (KubeTime.ParseTime(Jn(o, "status", "startTime")) is not { } start)
        {
            return "";
        }

        return KubeTime.HumanDuration((KubeTime.ParseTime(Jn(o, "status", "completionTime")) ?? now) - start);
    }

    private static string ContainerField(JsonObject o, string field) =>
        string.Join(",", (Jn(o, "spec", "template", "spec", "containers") as JsonArray ?? []).Select(c => JsonNodes.GetString(c, field) ?? ""));

    private static string Replicas(JsonObject o) => JsonNodes.At(o, "spec", "replicas") is { } r ? JsonNodes.ScalarText(r) : "1";

    private static int IntOrZero(JsonNode? node) =>
        int.TryParse(JsonNodes.ScalarText(node), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;

    private static string NodeStatus(JsonObject o)
    {
        var status = "Unknown";
        if (JsonNodes.At(o, "status", "conditions") is JsonArray conditions)
        {
            foreach (var c in conditions)
            {
                if (JsonNodes.GetString(c, "type") == "Ready")
                {
                    status = JsonNodes.GetString(c, "status") switch
                    {
                        "True" => "Ready",
                        "False" => "NotReady",
                        _ => "Unknown",
                    };
                }
            }
        }

        if (JsonNodes.At(o, "spec", "unschedulable") is JsonValue v && v.TryGetValue<bool>(out var u) && u)
        {
            status += ",SchedulingDisabled";
        }

        return status;
    }

    private static string NodeRoles(JsonObject o)
    {
        const string Prefix = "node-role.kubernetes.io/";
        var roles = JsonNodes.Labels(o)?.Select(kv => kv.Key).Where(k => k.StartsWith(Prefix, StringComparison.Ordinal)).Select(k => k[Prefix.Length..]).ToList();
        return roles is { Count: > 0 } ? string.Join(",", roles) : None;
    }

    private static string NodeAddress(JsonObject o, string type)
    {
        if (JsonNodes.At(o, "status", "addresses") is JsonArray addresses)
        {
            foreach (var a in addresses)
            {
                if (JsonNodes.GetString(a, "type") == type)
                {
                    return JsonNodes.GetString(a, "address") ?? "";
                }
            }
        }

        return "";
    }

    private static string PodReady(JsonObject o)
    {
        var total = Count(JsonNodes.At(o, "spec", "containers"));
        var ready = 0;
        if (JsonNodes.At(o, "status", "containerStatuses") is JsonArray statuses)
        {
            ready = statuses.Count(s => s?["ready"] is JsonValue v && v.TryGetValue<bool>(out var b) && b);
        }

        return $"{ready}/{total}";
    }

    private static int PodRestarts(JsonObject o) =>
        JsonNodes.At(o, "status", "containerStatuses") is JsonArray statuses ? statuses.Sum(s => IntOrZero(s?["restartCount"])) : 0;

    /// <summary>The STATUS column of <c>kubectl get pods</c>, following the kubelet's printer rules closely enough.</summary>
    private static string PodStatus(JsonObject o)
    {
        var reason = Text(o, "status", "reason");
        if (reason.Length == 0)
        {
            reason = Text(o, "status", "phase");
        }

        if (JsonNodes.At(o, "status", "containerStatuses") is JsonArray statuses)
        {
            foreach (var s in statuses)
            {
                if (JsonNodes.At(s, "state", "waiting", "reason") is { } waiting && JsonNodes.ScalarText(waiting).Length > 0)
                {
                    reason = JsonNodes.ScalarText(waiting);
                }
                else if (JsonNodes.At(s, "state", "terminated") is JsonObject terminated)
                {
                    var r = JsonNodes.ScalarText(terminated["reason"]);
                    reason = r.Length > 0 ? r : $"ExitCode:{JsonNodes.ScalarText(terminated["exitCode"])}";
                }
            }
        }

        if (JsonNodes.At(o, "metadata", "deletionTimestamp") is not null)
        {
            reason = "Terminating";
        }

        return reason;
    }

    private static string EventLastSeen(JsonObject o, DateTimeOffset now)
    {
        var t = KubeTime.ParseTime(o["lastTimestamp"]) ?? KubeTime.ParseTime(o["eventTime"]) ?? KubeTime.ParseTime(JsonNodes.At(o, "series", "lastObservedTime")) ??
            KubeTime.ParseTime(JsonNodes.At(o, "metadata", "creationTimestamp"));
        return t is { } time ? KubeTime.HumanDuration(now - time) : "<unknown>";
    }

    private static string EventObject(JsonObject o, string field) =>
        $"{JsonNodes.ScalarText(JsonNodes.At(o, field, "kind")).ToLowerInvariant()}/{JsonNodes.ScalarText(JsonNodes.At(o, field, "name"))}";

    private static string ServicePorts(JsonObject o)
    {
        if (JsonNodes.At(o, "spec", "ports") is not JsonArray ports || ports.Count == 0)
        {
            return None;
        }

        return string.Join(",", ports.Select(p =>
        {
            var port = JsonNodes.ScalarText(p?["port"]);
            var nodePort = JsonNodes.ScalarText(p?["nodePort"]);
            var protocol = JsonNodes.ScalarText(p?["protocol"]);
            return (nodePort.Length > 0 ? $"{port}:{nodePort}" : port) + "/" + (protocol.Length > 0 ? protocol : "TCP");
        }));
    }

    private static string Selector(JsonNode? node) =>
        node is JsonObject obj && obj.Count > 0 ? string.Join(",", obj.Select(kv => $"{kv.Key}={JsonNodes.ScalarText(kv.Value)}")) : None;
}
