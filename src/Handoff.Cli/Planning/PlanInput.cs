// Over 400 lines: every kind of object a plan reads (HandoffNodes, Nodes, functions, plain pods, Jobs, queues) is turned into the planner's input here, in one place, as the operator reads them.
using Handoff.Api;
using Handoff.Api.Manifests;
using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core;
using Handoff.Core.Lifecycle;
using Handoff.Core.Allocation;
using Handoff.Core.Dag;
using Handoff.Core.Planning;
using Handoff.Core.Nodes;
using Handoff.Core.Resources;
using Handoff.Operator.Reconciliation;
using k8s;
using k8s.Models;

namespace Handoff.Cli.Planning;

/// <summary>
/// The nodes and workloads of a plan, built from manifests, plus the problems that do not stop a plan from being
/// printed but make <c>handoff plan</c> exit non-zero (unknown args, unknown collocateWith targets, cycles, a
/// <c>capacityFrom: Node</c> HandoffNode without its Node).
/// </summary>
/// <remarks>
/// Kubernetes objects count as the operator counts them (<see cref="PodMapper.RoleOf(k8s.Models.V1Pod, string)"/>): a Node gives a
/// <c>capacityFrom: Node</c> HandoffNode its allocatable, taints, cordon and readiness (a Node without status is taken
/// as Ready); a live pod bound by someone else holds its request and one <c>pods</c> on the Node-backed HandoffNodes
/// of its Node, and a live plain pod Handoff bound holds its cost on its HandoffNode, both for the whole plan; a pod
/// that names Handoff and is not bound is planned like a function without args (named <c>pod/NAME</c>, never retried);
/// function pods and pods of other schedulers that are not bound yet are not counted.
/// <para>A batch/v1 Job whose template names Handoff gets the pods its controller would create (<see cref="JobShape"/>:
/// <c>parallelism</c> at once, then one per success until <c>completions</c> succeeded), each planned like a plain pod
/// from the template (its requests, constraints, <c>handoff.dev/duration</c>) and named <c>job/NAME-N</c>, N = 1, 2, …
/// in creation order. A Job read back from a cluster counts its <c>status.succeeded</c> and the live pods it owns in the
/// input (those still waiting are planned under their own names and their successes count for the Job); a finished or
/// suspended Job creates nothing.</para>
/// </remarks>
internal sealed record PlanInput(
    IReadOnlyList<NodeInfo> Nodes,
    IReadOnlyList<PlanFunction> Functions,
    IReadOnlyDictionary<string, MappedFunction> Mapped,
    IReadOnlyList<string> Problems)
{
    /// <summary>
    /// Objects refused one by one (each error naming file, line, object and field), as the operator skips an object it
    /// cannot use: they are left out and the rest is planned.
    /// </summary>
    public IReadOnlyList<string> Rejected { get; init; } = [];

    /// <summary>The HandoffQueues of the input, by name (api.md, "Queues").</summary>
    public IReadOnlyDictionary<string, Core.Queueing.QueueQuota> Queues { get; init; } = new Dictionary<string, Core.Queueing.QueueQuota>();

    /// <summary>The PriorityClasses of the input: name → value.</summary>
    public IReadOnlyDictionary<string, int> PriorityClasses { get; init; } = new Dictionary<string, int>();

    /// <summary>The labels of the Namespaces of the input (with the label the API server sets), by name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    /// <summary>The planner's options for this input: its queues, PriorityClasses and namespaces' labels.</summary>
    public PlannerOptions Options => new() { Queues = Queues, PriorityClasses = PriorityClasses, NamespaceLabels = NamespaceLabels };

    /// <summary>The prefix of a plain pod's name in a plan (its id is <see cref="PodMapper.WorkloadId"/>).</summary>
    public const string PodPrefix = "pod/";

    /// <summary>The prefix of a Job's pod that plan creates: <c>job/NAME-N</c>, the Job's N-th new pod (its id is the workload id of pod <c>NAME-N</c>).</summary>
    public const string JobPodPrefix = "job/";

    /// <summary>Where the HandoffNodes of <c>--discover-nodes</c> are said to come from in messages.</summary>
    public const string DiscoveredSource = "<discovered>";

    /// <summary>
    /// The HandoffNodes the operator's <c>--discover-nodes</c> would create for the input's Nodes (its own rule:
    /// <see cref="DiscoveryStep.Plan"/>), read as if they were manifests.
    /// </summary>
    public static IEnumerable<ManifestDocument> Discovered(IReadOnlyList<ManifestDocument> documents, string selector)
    {
        var objects = documents.Select(d => d.Object).ToList();
        var snapshot = new ClusterSnapshot(
            Planner.Start, [.. objects.OfType<HandoffNode>()],
            objects.OfType<V1Node>().GroupBy(n => n.Metadata.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal),
            [], []);
        return DiscoveryStep.Plan(snapshot, LabelSelectorParser.Parse(selector)).OfType<CreateDiscovered>()
            .SelectMany(create => ManifestReader.ReadTyped(KubernetesJson.Serialize(create.Node), DiscoveredSource));
    }

    /// <summary>
    /// Validates and converts the documents; an invalid object or a duplicate name is left out and named in
    /// <see cref="Rejected"/>.
    /// </summary>
    public static PlanInput Build(IReadOnlyList<ManifestDocument> documents, AllocationStrategy defaultStrategy)
    {
        var errors = new List<string>();
        var problems = new List<string>();
        var nodes = new List<NodeInfo>();
        var functions = new List<PlanFunction>();
        var mapped = new Dictionary<string, MappedFunction>(StringComparer.Ordinal);
        var locations = new Dictionary<string, ManifestDocument>(StringComparer.Ordinal);
        var functionLocations = new Dictionary<string, ManifestDocument>(StringComparer.Ordinal);
        var kubernetesNodes = KubernetesNodes(documents, errors);
        var held = Held(documents);
        var jobs = JobsOf(documents);

        var planStart = documents.Select(d => d.Object).OfType<HandoffFunction>().Select(f => f.Metadata?.CreationTimestamp)
            .Concat(documents.Select(d => d.Object).OfType<V1Pod>().Select(p => p.Metadata?.CreationTimestamp))
            .Concat(jobs.Values.Select(j => j.Job.Metadata?.CreationTimestamp))
            .OfType<DateTime>().DefaultIfEmpty(DateTime.MaxValue).Min();
        foreach (var doc in documents)
        {
            try
            {
                switch (doc.Object)
                {
                    case HandoffNode node:
                        var kubernetesNode = kubernetesNodes.GetValueOrDefault(HandoffMapper.KubernetesNodeName(node));
                        var info = HandoffMapper.ToNodeInfo(node, kubernetesNode, kubernetesNode is null || IsReady(kubernetesNode));
                        if (locations.TryGetValue(info.Name, out var first))
                        {
                            throw new ManifestValidationException(HandoffMapper.Describe(node), "metadata.name",
                                $"Duplicate value: \"{info.Name}\" (already defined at {first.Location})");
                        }

                        if (info.CountsPods && kubernetesNode is null)
                        {
                            problems.Add($"{doc.Location}: {HandoffApi.NodeKind} {info.Name}: spec.capacityFrom: Node, but Node \"{HandoffMapper.KubernetesNodeName(node)}\" is not in the input (add it, e.g. from kubectl get node -o yaml, or use plan --live); planned with spec.capacity alone");
                        }

                        locations[info.Name] = doc;
                        nodes.Add(info with { Capacity = info.Capacity.SubtractClamped(HeldOn(held, info, HandoffMapper.KubernetesNodeName(node))) });
                        break;
                    case HandoffFunction function:
                        var f = HandoffMapper.ToFunction(function, defaultStrategy);
                        if (functionLocations.TryGetValue(f.Id, out var firstFn))
                        {
                            throw new ManifestValidationException(HandoffMapper.Describe(function), "metadata.name",
                                $"Duplicate value: \"{f.Name}\" in namespace \"{f.Namespace}\" (already defined at {firstFn.Location})");
                        }

                        functionLocations[f.Id] = doc;
                        mapped[f.Id] = f;
                        functions.Add(ToPlanFunction(HandoffMapper.Describe(function), function.Metadata, f, planStart));
                        break;
                    case V1Pod pod when PodMapper.RoleOf(pod) == PodRole.WaitingForHandoff:
                        var owner = JobKeyOf(pod, jobs);
                        Add([Planned(pod, PodPrefix + pod.Metadata.Name, $"Pod {ObjectKeys.Of(pod.Metadata.NamespaceProperty ?? HandoffMapper.DefaultNamespace, pod.Metadata.Name)}",
                            owner is null ? null : new PlanJobPod(owner, 0))]);
                        break;
                    case V1Job job when jobs.TryGetValue(KeyOf(job), out var planned):
                        var shape = ShapeOf(job, planned.Active);
                        Add([.. Enumerable.Range(0, shape.PodsToCreate).Select(n => JobPod(job, n + 1)).Select((jobPod, n) =>
                            Planned(jobPod, JobPodPrefix + jobPod.Metadata.Name, $"Job {KeyOf(job)}", new PlanJobPod(KeyOf(job), shape.CreatedAfterSuccesses(n))))]);
                        break;
                }
            }
            catch (ManifestValidationException e)
            {
                errors.Add($"{doc.Location}: {e.Message}");
            }

            // A pod Handoff schedules, planned like a function without args (never retried).
            (MappedFunction Mapped, PlanFunction Planned, string What) Planned(V1Pod pod, string name, string what, PlanJobPod? job)
            {
                var plain = PodMapper.ToPlainPod(pod, defaultStrategy);
                var asFunction = new MappedFunction(ObjectKeys.NamespaceOf(plain.Key), name, plain.Placement, plain.Strategy, [], [], 0)
                {
                    Traits = plain.Traits,
                };
                var planned = ToPlanFunction(what, pod.Metadata, asFunction, planStart) with { Job = job };
                if (job is not null && planned.Fails)
                {
                    throw new ManifestValidationException(what, $"spec.template.metadata.annotations[{HandoffApi.OutcomeAnnotation}]",
                        $"Unsupported value: \"{FunctionPhases.Failed}\": plan simulates a Job whose pods succeed (it does not simulate the Job controller's replacements of failed pods and backoffLimit)");
                }

                return (asFunction, planned, what);
            }

            // All of one object's pods, or none of them.
            void Add(IReadOnlyList<(MappedFunction Mapped, PlanFunction Planned, string What)> pods)
            {
                if (pods.FirstOrDefault(p => functionLocations.ContainsKey(p.Mapped.Id)) is { Mapped: not null } duplicate)
                {
                    throw new ManifestValidationException(duplicate.What, "metadata.name",
                        $"Duplicate value: pod \"{duplicate.Mapped.Id[(duplicate.Mapped.Id.LastIndexOf('/') + 1)..]}\" in namespace \"{duplicate.Mapped.Namespace}\" (already planned from {functionLocations[duplicate.Mapped.Id].Location})");
                }

                foreach (var (m, planned, _) in pods)
                {
                    functionLocations[m.Id] = doc;
                    mapped[m.Id] = m;
                    functions.Add(planned);
                }
            }
        }

        var graph = new FunctionGraph(functions.Select(f => new FunctionDependencies(f.Id, f.Args) { CollocateWith = f.Placement.CollocateWith }));
        foreach (var f in functions)
        {
            var m = mapped[f.Id];
            var where = $"{functionLocations[f.Id].Location}: {HandoffApi.FunctionKind} {f.Id}";
            if (graph.UnknownArgs.TryGetValue(f.Id, out var unknown))
            {
                problems.Add($"{where}: spec.args: unknown function(s) {string.Join(", ", unknown.Select(u => $"\"{u[(m.Namespace.Length + 1)..]}\""))} in namespace \"{m.Namespace}\"");
            }

            if (graph.UnknownCollocation.TryGetValue(f.Id, out var target))
            {
                problems.Add($"{where}: spec.collocateWith: unknown function \"{ObjectKeys.NameOf(target)}\" in namespace \"{m.Namespace}\"");
            }
        }

        foreach (var cycle in graph.Cycles)
        {
            problems.Add($"{functionLocations[cycle[0]].Location}: {HandoffApi.FunctionKind} {cycle[0]}: spec.args: DependencyCycle: {FunctionGraph.FormatCycle(cycle)}");
        }

        var queues = new Dictionary<string, Core.Queueing.QueueQuota>(StringComparer.Ordinal);
        foreach (var doc in documents)
        {
            if (doc.Object is HandoffQueue queue)
            {
                var q = QueueMapper.ToQueue(queue);
                if (!queues.TryAdd(q.Name, q))
                {
                    errors.Add($"{doc.Location}: {HandoffApi.QueueKind} {q.Name}: metadata.name: Duplicate value: \"{q.Name}\"");
                }
                else if (q.Problems() is { Count: > 0 } queueProblems)
                {
                    problems.Add($"{doc.Location}: {HandoffApi.QueueKind} {q.Name}: inactive: {string.Join("; ", queueProblems)}");
                }
            }
        }

        return new PlanInput(nodes, functions, mapped, problems)
        {
            Rejected = errors,
            Queues = queues,
            PriorityClasses = QueueMapper.ToPriorityClasses(documents.Select(d => d.Object).OfType<V1PriorityClass>()),
            NamespaceLabels = documents.Select(d => d.Object).OfType<V1Namespace>().Where(n => !string.IsNullOrEmpty(n.Metadata?.Name)).ToDictionary(
                n => n.Metadata.Name,
                n => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(n.Metadata.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
                {
                    [Core.Queueing.QueueAdmission.NamespaceNameLabel] = n.Metadata.Name,
                },
                StringComparer.Ordinal),
        };
    }

    /// <summary>A Job whose pods Handoff schedules, with how many live pods of it the input holds.</summary>
    private sealed record PlannedJob(V1Job Job, int Active);

    /// <summary>The Jobs whose template names Handoff, by <c>namespace/name</c>, with the live pods each owns in the input.</summary>
    private static Dictionary<string, PlannedJob> JobsOf(IReadOnlyList<ManifestDocument> documents)
    {
        var jobs = documents.Select(d => d.Object).OfType<V1Job>()
            .Where(j => j.Spec?.Template?.Spec?.SchedulerName == HandoffApi.DefaultSchedulerName && !string.IsNullOrEmpty(j.Metadata?.Name))
            .GroupBy(KeyOf, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new PlannedJob(g.First(), 0), StringComparer.Ordinal);
        foreach (var pod in documents.Select(d => d.Object).OfType<V1Pod>())
        {
            if (PodMapper.RoleOf(pod) is not (PodRole.Finished or PodRole.FunctionPod) && JobKeyOf(pod, jobs) is { } key)
            {
                jobs[key] = jobs[key] with { Active = jobs[key].Active + 1 };
            }
        }

        return jobs;
    }

    private static string KeyOf(V1Job job) => ObjectKeys.Of(job.Metadata.NamespaceProperty ?? HandoffMapper.DefaultNamespace, job.Metadata.Name);

    /// <summary>The Job of the input that controls the pod (its controller owner reference; by UID when both have one).</summary>
    private static string? JobKeyOf(V1Pod pod, Dictionary<string, PlannedJob> jobs)
    {
        var owner = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Kind == "Job" && o.ApiVersion == "batch/v1" && o.Controller == true);
        var key = owner is null ? null : ObjectKeys.Of(pod.Metadata.NamespaceProperty ?? HandoffMapper.DefaultNamespace, owner.Name);
        return key is not null && jobs.TryGetValue(key, out var job) && (string.IsNullOrEmpty(owner!.Uid) || string.IsNullOrEmpty(job.Job.Metadata.Uid) || owner.Uid == job.Job.Metadata.Uid)
            ? key : null;
    }

    /// <summary>
    /// The Job as its controller runs it, with the API server's defaults (parallelism 1; completions 1 when neither is
    /// set); a finished or suspended Job creates no more pods.
    /// </summary>
    private static JobShape ShapeOf(V1Job job, int active)
    {
        var what = $"Job {KeyOf(job)}";
        var parallelism = job.Spec.Parallelism ?? 1;
        var completions = job.Spec.Completions ?? (job.Spec.Parallelism is null ? 1 : null);
        if (parallelism < 0 || completions < 0)
        {
            throw new ManifestValidationException(what, parallelism < 0 ? "spec.parallelism" : "spec.completions",
                $"Invalid value: {(parallelism < 0 ? parallelism : completions)}: must be greater than or equal to 0");
        }

        var finished = job.Status?.Conditions?.Any(c => c.Type is "Complete" or "Failed" && c.Status == "True") == true;
        return finished || job.Spec.Suspend == true
            ? new JobShape(0, 0)
            : new JobShape(parallelism, completions) { Succeeded = job.Status?.Succeeded ?? 0, Active = active };
    }

    /// <summary>The Job's N-th new pod, as its controller creates it from the template (named NAME-N here; generateName NAME- in a cluster).</summary>
    private static V1Pod JobPod(V1Job job, int n) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = $"{job.Metadata.Name}-{n}",
            NamespaceProperty = job.Metadata.NamespaceProperty ?? HandoffMapper.DefaultNamespace,
            Labels = job.Spec.Template.Metadata?.Labels,
            Annotations = job.Spec.Template.Metadata?.Annotations,
            CreationTimestamp = job.Metadata.CreationTimestamp,
        },
        Spec = job.Spec.Template.Spec,
    };

    /// <summary>The Node documents by name; a name given twice is an error.</summary>
    private static Dictionary<string, V1Node> KubernetesNodes(IReadOnlyList<ManifestDocument> documents, List<string> errors)
    {
        var nodes = new Dictionary<string, V1Node>(StringComparer.Ordinal);
        var locations = new Dictionary<string, ManifestDocument>(StringComparer.Ordinal);
        foreach (var doc in documents)
        {
            if (doc.Object is V1Node node && !locations.TryAdd(node.Metadata.Name, doc))
            {
                errors.Add($"{doc.Location}: Node {node.Metadata.Name}: metadata.name: Duplicate value: \"{node.Metadata.Name}\" (already defined at {locations[node.Metadata.Name].Location})");
            }
            else if (doc.Object is V1Node n)
            {
                nodes[n.Metadata.Name] = n;
            }
        }

        return nodes;
    }

    /// <summary>A Node is Ready when its Ready condition says True; a Node written without status is taken as Ready.</summary>
    private static bool IsReady(V1Node node) =>
        node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready") is not { } ready || ready.Status == "True";

    /// <summary>What live pods hold for the whole plan: others' per Kubernetes Node, Handoff's plain pods per HandoffNode.</summary>
    private static (Dictionary<string, ResourceList> External, Dictionary<string, ResourceList> Placed) Held(IReadOnlyList<ManifestDocument> documents)
    {
        var external = new Dictionary<string, ResourceList>(StringComparer.Ordinal);
        var placed = new Dictionary<string, ResourceList>(StringComparer.Ordinal);
        foreach (var pod in documents.Select(d => d.Object).OfType<V1Pod>())
        {
            switch (PodMapper.RoleOf(pod))
            {
                case PodRole.External:
                    external[pod.Spec.NodeName] = (external.GetValueOrDefault(pod.Spec.NodeName) ?? ResourceList.Empty).Add(PodMapper.ExternalRequestOf(pod));
                    break;
                case PodRole.PlacedByHandoff when pod.Status?.Phase is not ("Succeeded" or "Failed"):
                    var handoffNode = pod.Metadata.Annotations[HandoffApi.HandoffNodeAnnotation];
                    placed[handoffNode] = (placed.GetValueOrDefault(handoffNode) ?? ResourceList.Empty).Add(PodMapper.RequestOf(pod));
                    break;
            }
        }

        return (external, placed);
    }

    private static ResourceList HeldOn((Dictionary<string, ResourceList> External, Dictionary<string, ResourceList> Placed) held, NodeInfo node, string kubernetesNode)
    {
        var total = held.Placed.GetValueOrDefault(node.Name) ?? ResourceList.Empty;
        return node.CountsPods && held.External.TryGetValue(kubernetesNode, out var external) ? total.Add(external) : total;
    }

    /// <summary>
    /// The plan function of a manifest (a function's, or a plain pod's). A manifest read back from a cluster
    /// (<c>kubectl get -o yaml</c>) carries its creationTimestamp: <paramref name="planStart"/> is the earliest of them,
    /// so the queue orders such work by creation as the operator does; the rest is created when the plan starts.
    /// </summary>
    private static PlanFunction ToPlanFunction(string what, V1ObjectMeta metadata, MappedFunction f, DateTime planStart)
    {
        var annotations = metadata.Annotations ?? new Dictionary<string, string>();
        var duration = PlanFunction.DefaultDuration;
        if (annotations.TryGetValue(HandoffApi.DurationAnnotation, out var durationText) && !GoDuration.TryParse(durationText, out duration))
        {
            throw new ManifestValidationException(what, $"metadata.annotations[{HandoffApi.DurationAnnotation}]",
                $"invalid duration \"{durationText}\" (expected e.g. 30s, 1.5s, 2m or 1h30m)");
        }

        var fails = false;
        if (annotations.TryGetValue(HandoffApi.OutcomeAnnotation, out var outcome))
        {
            fails = outcome switch
            {
                FunctionPhases.Failed => true,
                FunctionPhases.Succeeded => false,
                _ => throw new ManifestValidationException(what, $"metadata.annotations[{HandoffApi.OutcomeAnnotation}]",
                    $"Unsupported value: \"{outcome}\": supported values: \"Succeeded\", \"Failed\""),
            };
        }

        return new PlanFunction(f.Placement, f.Args)
        {
            Strategy = f.Strategy,
            Duration = duration,
            Fails = fails,
            Retry = new RetryPolicy(f.MaxRetries),
            ExtraArgs = f.ExtraArgs,
            Containers = Math.Max(1, f.PodResources.Containers.Count),
            Created = metadata.CreationTimestamp is { } created && created > planStart ? created - planStart : TimeSpan.Zero,
            Traits = f.Traits,
        };
    }
}
