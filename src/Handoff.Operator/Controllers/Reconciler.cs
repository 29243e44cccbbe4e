using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Allocation;
using Handoff.Core.Allocation.Indexing;
using Handoff.Core.Dag;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using Handoff.Core.Tracking;
using Handoff.Operator.Infrastructure;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>
/// One leadership term's reconciler. Each <see cref="ReconcileAsync"/> is a level-triggered pass over the cached
/// cluster state: HandoffNodes → tracker capacities; function pods → phases, results, releases, retries; the DAG →
/// Waiting / DependencyFailed / DependencyCycle; one <see cref="FunctionScheduler"/> cycle (the planner's) over the
/// ready, unplaced functions in queue order → pods created and bound; then status patches where something changed.
/// The tracker lives only for the term and is rebuilt from the bound, unfinished pods on its first pass.
/// </summary>
public sealed class Reconciler
{
    /// <summary>Reason for a spec Handoff cannot use (bad quantity or strategy that the schema let through).</summary>
    public const string InvalidSpecReason = "InvalidSpec";

    private const int IoParallelism = 16;

    private readonly IKubernetes _client;
    private readonly OperatorOptions _options;
    private readonly TimeProvider _time;
    private readonly OperatorMetrics _metrics;
    private readonly EventRecorder _events;
    private readonly ResourceCache<HandoffNode> _handoffNodes;
    private readonly ResourceCache<HandoffFunction> _functions;
    private readonly ResourceCache<V1Pod> _pods;
    private readonly ResourceCache<V1Node> _nodes;
    private readonly ILogger _logger;
    private readonly IndexedResourceTracker _tracker = new();
    private readonly FunctionScheduler _scheduler;
    private readonly AllocationStrategy _defaultStrategy;
    private readonly ConcurrentDictionary<string, Memo> _memo = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, NodeStatusInputs> _nodeStatusChecked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeUsage> _reportedUsage = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long? Generation, bool Ready, NodeInfo Info)> _nodeInfos = new(StringComparer.Ordinal);
    private NodeSet? _nodeSet;
    private bool _recovered;

    public Reconciler(
        IKubernetes client, OperatorOptions options, TimeProvider time, OperatorMetrics metrics, EventRecorder events,
        ResourceCache<HandoffNode> handoffNodes, ResourceCache<HandoffFunction> functions, ResourceCache<V1Pod> pods,
        ResourceCache<V1Node> nodes, ILogger<Reconciler> logger)
    {
        _client = client;
        _options = options;
        _time = time;
        _metrics = metrics;
        _events = events;
        _handoffNodes = handoffNodes;
        _functions = functions;
        _pods = pods;
        _nodes = nodes;
        _logger = logger;
        _scheduler = new FunctionScheduler(_tracker);
        _defaultStrategy = Allocators.TryParseStrategy(options.DefaultStrategy, out var strategy) ? strategy : AllocationStrategy.FirstAvailable;
    }

    /// <summary>The term's tracker (read-only use outside the reconciler).</summary>
    public IResourceTracker Tracker => _tracker;

    /// <summary>Back-off before retry number <paramref name="failedAttempt"/>: 10 s doubling, capped at 5 min.</summary>
    public static TimeSpan RetryBackoff(int failedAttempt, TimeSpan initial, TimeSpan max)
    {
        var ticks = initial.Ticks * Math.Pow(2, Math.Clamp(failedAttempt - 1, 0, 40));
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }

    public static string KeyOf(HandoffFunction f) => f.Metadata.NamespaceProperty + "/" + f.Metadata.Name;

    /// <summary>Runs one pass; returns when the next pass is due without any event (retry back-off), or null.</summary>
    public async Task<TimeSpan?> ReconcileAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var handoffNodes = _handoffNodes.List().OrderBy(n => n.Metadata.Name, StringComparer.Ordinal).ToList();
        var nodeSet = SyncNodes(handoffNodes, out var nodeProblems);

        var functions = _functions.List()
            .Where(f => f.Metadata.DeletionTimestamp is null)
            .OrderBy(f => f.Metadata.CreationTimestamp ?? DateTime.MinValue)
            .ThenBy(f => f.Metadata.NamespaceProperty, StringComparer.Ordinal)
            .ThenBy(f => f.Metadata.Name, StringComparer.Ordinal)
            .ToList();
        var byKey = functions.ToDictionary(KeyOf, StringComparer.Ordinal);
        var podsByFunction = GroupPods(byKey);

        if (!_recovered)
        {
            Recover(functions, podsByFunction);
            _recovered = true;
        }

        foreach (var allocation in _tracker.Allocations())
        {
            if (!byKey.ContainsKey(allocation.Holder))
            {
                _tracker.Release(allocation.Holder);
            }
        }

        foreach (var key in _memo.Keys)
        {
            if (!byKey.ContainsKey(key))
            {
                _memo.TryRemove(key, out _);
            }
        }

        foreach (var name in _nodeStatusChecked.Keys)
        {
            if (_handoffNodes.Get(name) is null)
            {
                _nodeStatusChecked.TryRemove(name, out _);
            }
        }

        var states = new Dictionary<string, FunctionState>(StringComparer.Ordinal);
        var actions = new List<Func<CancellationToken, Task>>();
        TimeSpan? wake = null;

        // 1. What the pods say.
        foreach (var f in functions)
        {
            var state = Observe(f, podsByFunction.GetValueOrDefault(KeyOf(f)) ?? [], now, actions);
            states[KeyOf(f)] = state;
            if (state.RetryAfter is { } retry && state.Kind == StateKind.BackingOff)
            {
                var delay = retry - now;
                wake = wake is null || delay < wake ? delay : wake;
            }
        }

        // 2. The DAG (the planner's rules): cycles, unknown args, failed dependencies, readiness.
        var graph = new FunctionGraph(functions.Select(f => new FunctionDependencies(
            KeyOf(f), [.. (f.Spec.Args ?? []).Select(a => f.Metadata.NamespaceProperty + "/" + a)])));
        ApplyDag(functions, graph, states);

        // 3. One scheduling cycle over the ready, unplaced functions in queue order.
        Schedule(functions, nodeSet, states, now, actions);

        // 4. Pods (create, bind, delete), then status patches and events; API errors fail the pass at the end.
        var errors = await RunAsync(actions, cancellationToken);
        var statusWrites = new List<Func<CancellationToken, Task>>();
        // Only objects whose status may be wrong get a task: at 50,000 functions a closure and an async state machine
        // for every one on every pass is most of what a pass allocates.
        foreach (var f in functions)
        {
            var state = states[KeyOf(f)];
            if (StatusMayDiffer(f, state))
            {
                statusWrites.Add(ct => WriteFunctionStatusAsync(f, state, now, ct));
            }
        }

        foreach (var node in handoffNodes)
        {
            var problem = nodeProblems.GetValueOrDefault(node.Metadata.Name);
            var inputs = NodeStatusInputsOf(node, problem);
            if (!_nodeStatusChecked.TryGetValue(node.Metadata.Name, out var last) || last != inputs)
            {
                statusWrites.Add(ct => WriteNodeStatusAsync(node, inputs, ct));
            }
        }

        errors.AddRange(await RunAsync(statusWrites, cancellationToken));
        UpdateMetrics(states);
        if (errors.Count > 0)
        {
            throw new AggregateException($"{errors.Count} API call(s) of this pass failed; the pass is retried", errors);
        }

        return wake is { } w && w < TimeSpan.Zero ? TimeSpan.Zero : wake;
    }

    private static async Task<List<Exception>> RunAsync(List<Func<CancellationToken, Task>> actions, CancellationToken cancellationToken)
    {
        if (actions.Count == 0)
        {
            return [];
        }

        var errors = new ConcurrentBag<Exception>();
        await Parallel.ForEachAsync(
            actions, new ParallelOptions { MaxDegreeOfParallelism = IoParallelism, CancellationToken = cancellationToken },
            async (action, ct) =>
            {
                try
                {
                    await action(ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    errors.Add(ex);
                }
            });
        return [.. errors];
    }

    // ---- nodes -------------------------------------------------------------------------------------------

    /// <summary>
    /// HandoffNodes → tracker capacities and the <see cref="NodeSet"/> to schedule on. A node is parsed and set again
    /// only when its spec (generation), labels or readiness changed, and the NodeSet is reused while no node changed:
    /// with thousands of nodes this was most of what a pass cost when few functions changed. Status writes (ours)
    /// change the resourceVersion, not the generation, so they do not count as changes.
    /// </summary>
    private NodeSet SyncNodes(List<HandoffNode> handoffNodes, out Dictionary<string, string> problems)
    {
        problems = new Dictionary<string, string>(StringComparer.Ordinal);
        var infos = new List<NodeInfo>(handoffNodes.Count);
        var changed = _nodeSet is null;
        foreach (var hn in handoffNodes)
        {
            var name = hn.Metadata.Name;
            var ready = NodeReadiness(hn).Ready;
            if (_nodeInfos.TryGetValue(name, out var known) && known.Generation == hn.Metadata.Generation && known.Ready == ready &&
                SameLabels(known.Info.Labels, hn.Metadata.Labels))
            {
                infos.Add(known.Info);
                continue;
            }

            changed = true;
            NodeInfo info;
            try
            {
                info = HandoffMapper.ToNodeInfo(hn, ready);
            }
            catch (ManifestValidationException ex)
            {
                problems[name] = ex.Message;
                _nodeInfos.Remove(name);
                continue;
            }

            infos.Add(info);
            _tracker.SetNode(name, info.Capacity);
            _nodeInfos[name] = (hn.Metadata.Generation, ready, info);
        }

        var names = infos.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var tracked in _tracker.Nodes)
        {
            if (!names.Contains(tracked))
            {
                changed = true;
                var dropped = _tracker.RemoveNode(tracked);
                if (dropped.Count > 0)
                {
                    _logger.LogWarning("HandoffNode {Node} is gone; dropped the capacity held by {Functions}", tracked, string.Join(", ", dropped));
                }
            }
        }

        foreach (var gone in _nodeInfos.Keys.Where(n => !names.Contains(n)).ToList())
        {
            changed = true;
            _nodeInfos.Remove(gone);
        }

        // Unchanged means every node was reused and none added or removed: the previous NodeSet is the same set.
        if (changed)
        {
            _nodeSet = new NodeSet(infos);
        }

        return _nodeSet!;
    }

    private static bool SameLabels(IReadOnlyDictionary<string, string> known, IDictionary<string, string>? current) =>
        (current?.Count ?? 0) == known.Count &&
        (current is null || current.All(l => known.TryGetValue(l.Key, out var v) && string.Equals(v, l.Value, StringComparison.Ordinal)));

    private (bool Ready, string Reason, string Message) NodeReadiness(HandoffNode hn)
    {
        var nodeName = KubernetesNodeName(hn);
        var node = _nodes.Get(nodeName);
        if (node is null)
        {
            return (false, Reasons.NodeNotFound, $"Kubernetes node {nodeName} does not exist");
        }

        var ready = node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        return ready?.Status == "True"
            ? (true, Reasons.NodeReady, $"Kubernetes node {nodeName} is Ready")
            : (false, Reasons.NodeNotReady, $"Kubernetes node {nodeName} is not Ready" + (ready?.Message is { Length: > 0 } m ? ": " + m : ""));
    }

    private static string KubernetesNodeName(HandoffNode hn) => HandoffMapper.KubernetesNodeName(hn);

    // ---- pods ----------------------------------------------------------------------------------------------

    private Dictionary<string, List<V1Pod>> GroupPods(Dictionary<string, HandoffFunction> byKey)
    {
        var result = new Dictionary<string, List<V1Pod>>(StringComparer.Ordinal);
        foreach (var pod in _pods.List())
        {
            if (pod.Metadata.Labels?.TryGetValue(HandoffApi.FunctionLabel, out var fn) != true || fn is null)
            {
                continue;
            }

            var key = pod.Metadata.NamespaceProperty + "/" + fn;
            if (!byKey.TryGetValue(key, out var function))
            {
                continue;
            }

            var owner = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
            if (owner is not null && owner.Uid != function.Metadata.Uid)
            {
                continue; // a pod of an earlier function with the same name: garbage collection removes it
            }

            if (!result.TryGetValue(key, out var list))
            {
                result[key] = list = [];
            }

            list.Add(pod);
        }

        return result;
    }

    /// <summary>Rebuilds the tracker from the bound, unfinished pods (the truth) before anything is scheduled.</summary>
    private void Recover(List<HandoffFunction> functions, Dictionary<string, List<V1Pod>> podsByFunction)
    {
        var adopted = 0;
        foreach (var f in functions)
        {
            if (FunctionPhases.IsTerminal(f.Status?.Phase))
            {
                continue;
            }

            foreach (var pod in podsByFunction.GetValueOrDefault(KeyOf(f)) ?? [])
            {
                if (FunctionPods.IsBound(pod) && !FunctionPods.IsTerminal(pod) && pod.Metadata.DeletionTimestamp is null &&
                    HoldNodeOf(pod) is { } node && TryCost(f, out var cost) && _tracker.Adopt(node, cost, KeyOf(f)))
                {
                    adopted++;
                }
            }
        }

        _logger.LogInformation("Tracker rebuilt from {Count} bound, unfinished function pods", adopted);
    }

    /// <summary>The HandoffNode a pod holds capacity on: its annotation, else the HandoffNode of its Kubernetes node.</summary>
    private string? HoldNodeOf(V1Pod pod)
    {
        if (FunctionPods.HandoffNodeOf(pod) is { } annotated && _tracker.GetNode(annotated) is not null)
        {
            return annotated;
        }

        var nodeName = pod.Spec?.NodeName;
        return nodeName is null
            ? null
            : _handoffNodes.List().Where(h => KubernetesNodeName(h) == nodeName).Select(h => h.Metadata.Name)
                .Order(StringComparer.Ordinal).FirstOrDefault();
    }

    private static bool TryCost(HandoffFunction f, out ResourceList cost)
    {
        try
        {
            cost = ResourceList.Parse(f.Spec.Cost);
            return true;
        }
        catch (ResourceValidationException)
        {
            cost = ResourceList.Empty;
            return false;
        }
    }

    private FunctionState Observe(HandoffFunction f, List<V1Pod> pods, DateTime now, List<Func<CancellationToken, Task>> actions)
    {
        var key = KeyOf(f);
        var status = f.Status ?? new HandoffFunctionStatus();
        var memo = _memo.GetOrAdd(key, _ => new Memo());
        if (FunctionPhases.IsTerminal(status.Phase))
        {
            _tracker.Release(key);
            return FunctionState.Terminal(status);
        }

        var live = pods.Where(p => p.Metadata.DeletionTimestamp is null).ToList();
        var active = live.Where(p => !FunctionPods.IsTerminal(p)).OrderByDescending(FunctionPods.AttemptOf).FirstOrDefault();
        var lastFinished = pods.Where(FunctionPods.IsTerminal).OrderByDescending(FunctionPods.AttemptOf).FirstOrDefault();
        if (active is not null && (lastFinished is null || FunctionPods.AttemptOf(active) > FunctionPods.AttemptOf(lastFinished)))
        {
            return ObserveActive(f, active, actions);
        }

        if (lastFinished is not null && FunctionPods.AttemptOf(lastFinished) >= status.Attempts)
        {
            _tracker.Release(key);
            var attempt = FunctionPods.AttemptOf(lastFinished);
            if (lastFinished.Status?.Phase == "Succeeded")
            {
                return new FunctionState(StateKind.Succeeded)
                {
                    Node = FunctionPods.HandoffNodeOf(lastFinished) ?? status.Node,
                    PodName = lastFinished.Metadata.Name,
                    Attempts = attempt,
                    Result = FunctionPods.Result(lastFinished),
                    CompletionTime = FunctionPods.FinishedAt(lastFinished) ?? now,
                };
            }

            return FailedAttempt(f, attempt, FunctionPods.HandoffNodeOf(lastFinished), lastFinished.Metadata.Name,
                FunctionPods.FailureMessage(lastFinished), now, memo);
        }

        if (status.PodName is not null && status.PodName == memo.DeletedUnboundPod)
        {
            // We deleted that attempt's pod before it was bound (its capacity was gone): not a failed attempt.
            _tracker.Release(key);
            return new FunctionState(StateKind.NotStarted) { Attempts = Math.Max(0, status.Attempts - 1), SkipStatusWrite = status.Phase != FunctionPhases.Pending };
        }

        if (status.Phase is FunctionPhases.Scheduled or FunctionPhases.Running && status.PodName is not null && status.Attempts > 0)
        {
            // The pod of the current attempt is gone: the attempt is lost (counted as failed).
            _tracker.Release(key);
            return FailedAttempt(f, status.Attempts, status.Node, status.PodName, $"pod {status.PodName} was deleted", now, memo);
        }

        if (status.RetryAfter is not null && status.Attempts > 0)
        {
            _tracker.Release(key);
            var message = status.Message ?? $"attempt {status.Attempts} failed";
            return FailedAttempt(f, status.Attempts, status.Node, status.PodName, message, now, memo);
        }

        if (_tracker.NodeOf(key) is not null && active is null)
        {
            // Held without a pod (a create that failed earlier): give it back; the scheduler decides again.
            _tracker.Release(key);
        }

        return new FunctionState(StateKind.NotStarted) { Attempts = Math.Max(status.Attempts, lastFinished is null ? 0 : FunctionPods.AttemptOf(lastFinished)) };
    }

    private FunctionState ObserveActive(HandoffFunction f, V1Pod pod, List<Func<CancellationToken, Task>> actions)
    {
        var key = KeyOf(f);
        var node = FunctionPods.HandoffNodeOf(pod);
        var held = _tracker.NodeOf(key);
        var bound = FunctionPods.IsBound(pod);
        if (held is null)
        {
            var holdOn = bound ? HoldNodeOf(pod) : node;
            if (holdOn is not null && TryCost(f, out var cost) &&
                (bound ? _tracker.Adopt(holdOn, cost, key) : _tracker.TryAllocate(holdOn, cost, key)))
            {
                held = holdOn;
            }
            else if (!bound)
            {
                // Created but not bound (the operator stopped in between) and its capacity is gone: delete it.
                _memo.GetOrAdd(key, _ => new Memo()).DeletedUnboundPod = pod.Metadata.Name;
                actions.Add(ct => DeletePodAsync(pod, ct));
                return new FunctionState(StateKind.NotStarted) { Attempts = Math.Max(0, FunctionPods.AttemptOf(pod) - 1), Deleting = true, SkipStatusWrite = true };
            }
        }

        if (!bound && held is not null)
        {
            var target = _handoffNodes.Get(held);
            if (target is not null)
            {
                var function = f;
                actions.Add(ct => BindAsync(function, pod, held, KubernetesNodeName(target), ct));
            }
        }

        return new FunctionState(pod.Status?.Phase == "Running" ? StateKind.Running : StateKind.Scheduled)
        {
            // "Scheduled" means bound: an unbound pod's function keeps its status until the binding succeeds.
            SkipStatusWrite = !bound,
            Node = held ?? node,
            PodName = pod.Metadata.Name,
            Attempts = FunctionPods.AttemptOf(pod),
            StartTime = f.Status?.StartTime ?? pod.Metadata.CreationTimestamp,
        };
    }

    private FunctionState FailedAttempt(HandoffFunction f, int attempt, string? node, string? podName, string message, DateTime now, Memo memo)
    {
        var maxRetries = f.Spec.MaxRetries ?? HandoffApi.DefaultMaxRetries;
        if (attempt > maxRetries)
        {
            return new FunctionState(StateKind.Failed)
            {
                Reason = Reasons.RetriesExhausted,
                Message = $"{message}; {attempt} attempt(s) failed (maxRetries {maxRetries})",
                Node = node,
                PodName = podName,
                Attempts = attempt,
                CompletionTime = now,
            };
        }

        DateTime retryAfter;
        if (memo.RetryAttempt == attempt && memo.RetryAfter is { } remembered)
        {
            retryAfter = remembered;
        }
        else if (f.Status?.RetryAfter is { } persisted && f.Status.Attempts == attempt)
        {
            retryAfter = persisted.ToUniversalTime();
        }
        else
        {
            retryAfter = now + RetryBackoff(attempt, _options.RetryBackoffInitial, _options.RetryBackoffMax);
            memo.NewRetry = true;
        }

        memo.RetryAttempt = attempt;
        memo.RetryAfter = retryAfter;
        var text = $"{message}; retry {attempt} of {maxRetries} after {retryAfter.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}";
        return new FunctionState(retryAfter > now ? StateKind.BackingOff : StateKind.NotStarted)
        {
            Reason = Reasons.Retrying,
            Message = text,
            Node = node,
            PodName = podName,
            Attempts = attempt,
            RetryAfter = retryAfter,
        };
    }

    // ---- DAG -----------------------------------------------------------------------------------------------

    private static void ApplyDag(List<HandoffFunction> functions, FunctionGraph graph, Dictionary<string, FunctionState> states)
    {
        var succeeded = states.Where(s => s.Value.EffectivePhase == FunctionPhases.Succeeded).Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var failed = states.Where(s => s.Value.EffectivePhase == FunctionPhases.Failed).Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        static string Name(string id) => id[(id.IndexOf('/', StringComparison.Ordinal) + 1)..];

        foreach (var f in functions)
        {
            var key = KeyOf(f);
            var state = states[key];
            if (state.Kind != StateKind.NotStarted || state.Deleting)
            {
                continue;
            }

            if (graph.CycleOf(key) is { } cycle)
            {
                states[key] = state with
                {
                    Kind = StateKind.Failed,
                    Reason = Reasons.DependencyCycle,
                    Message = "dependency cycle: " + FunctionGraph.FormatCycle([.. cycle.Select(Name)]),
                    DependencyProblem = Reasons.DependencyCycle,
                };
                failed.Add(key);
            }
        }

        // Failed functions fail their dependents (transitively), each naming the arg that failed.
        var changed = true;
        while (changed)
        {
            changed = false;
            foreach (var f in functions)
            {
                var key = KeyOf(f);
                var state = states[key];
                if (state.Kind != StateKind.NotStarted || state.Deleting)
                {
                    continue;
                }

                var failedArg = graph.ArgsOf(key).FirstOrDefault(failed.Contains);
                if (failedArg is not null)
                {
                    states[key] = state with
                    {
                        Kind = StateKind.Failed,
                        Reason = Reasons.DependencyFailed,
                        Message = $"dependency {Name(failedArg)} failed",
                        DependencyProblem = Reasons.DependencyFailed,
                    };
                    failed.Add(key);
                    changed = true;
                }
            }
        }

        var ready = graph.Ready(succeeded, failed).ToHashSet(StringComparer.Ordinal);
        foreach (var f in functions)
        {
            var key = KeyOf(f);
            var state = states[key];
            if (state.Kind is not (StateKind.NotStarted or StateKind.BackingOff) || ready.Contains(key))
            {
                if (state.Kind is StateKind.NotStarted or StateKind.BackingOff)
                {
                    states[key] = state with { DependenciesReady = true };
                }

                continue;
            }

            if (graph.UnknownArgs.TryGetValue(key, out var unknown) && unknown.Count > 0)
            {
                states[key] = state with
                {
                    Kind = StateKind.Waiting,
                    Reason = Reasons.UnknownDependency,
                    Message = "unknown args (no such HandoffFunction in this namespace): " + string.Join(", ", unknown.Select(Name)),
                    DependencyProblem = Reasons.UnknownDependency,
                };
                continue;
            }

            var pending = graph.PendingArgs(key, succeeded);
            states[key] = state with
            {
                Kind = StateKind.Waiting,
                Reason = Reasons.WaitingForDependencies,
                Message = "waiting for args to succeed: " + string.Join(", ", pending.Select(Name)),
            };
        }
    }

    // ---- scheduling ----------------------------------------------------------------------------------------

    private void Schedule(
        List<HandoffFunction> functions, NodeSet nodes, Dictionary<string, FunctionState> states, DateTime now,
        List<Func<CancellationToken, Task>> actions)
    {
        var requests = new List<SchedulingRequest>();
        var byKey = new Dictionary<string, HandoffFunction>(StringComparer.Ordinal);
        foreach (var f in functions)
        {
            var key = KeyOf(f);
            var state = states[key];
            if (state.Kind != StateKind.NotStarted || state.Deleting || !state.DependenciesReady)
            {
                continue;
            }

            MappedFunction mapped;
            try
            {
                // The same conversion the planner uses (validation included).
                mapped = HandoffMapper.ToFunction(f, _defaultStrategy);
            }
            catch (ManifestValidationException ex)
            {
                states[key] = state with { Kind = StateKind.Failed, Reason = InvalidSpecReason, Message = ex.Message, CompletionTime = now };
                continue;
            }

            var memo = _memo.GetOrAdd(key, _ => new Memo());
            memo.ReadySince ??= _time.GetTimestamp();
            var placement = mapped.Request.Placement;
            if (placement.CollocateWith is { } collocate)
            {
                // Where the collocation target was placed, also once it has finished (the tracker forgets it then).
                placement = placement with { CollocateNode = _tracker.NodeOf(collocate) ?? states.GetValueOrDefault(collocate)?.Node };
            }

            requests.Add(mapped.Request with { Placement = placement });
            byKey[key] = f;
        }

        if (requests.Count == 0)
        {
            return;
        }

        var result = _scheduler.Schedule(nodes, requests);
        foreach (var assignment in result.Assignments)
        {
            var f = byKey[assignment.Id];
            var state = states[assignment.Id];
            var attempt = state.Attempts + 1;
            var args = ArgsFor(f, states);
            var pod = FunctionPods.Build(f, attempt, assignment.Node, _options.SchedulerName, args);
            var target = _handoffNodes.Get(assignment.Node)!;
            states[assignment.Id] = state with
            {
                Kind = StateKind.Scheduled,
                Node = assignment.Node,
                PodName = pod.Metadata.Name,
                Attempts = attempt,
                RetryAfter = null,
                Reason = null,
                Message = null,
                StartTime = f.Status?.StartTime ?? StatusPatches.TruncateToSeconds(now),
            };
            actions.Add(ct => CreateAndBindAsync(f, pod, assignment.Node, KubernetesNodeName(target), states, ct));
        }

        foreach (var pending in result.Pending)
        {
            var state = states[pending.Id];
            states[pending.Id] = state with
            {
                Kind = StateKind.Pending,
                Reason = pending.Unschedulable ? Reasons.Unschedulable : Reasons.FailedScheduling,
                Message = state.Reason == Reasons.Retrying ? pending.Message + " (" + state.Message + ")" : pending.Message,
                SchedulingMessage = pending.Message,
            };
        }
    }

    private static List<string> ArgsFor(HandoffFunction f, Dictionary<string, FunctionState> states)
    {
        var args = new List<string>();
        foreach (var a in f.Spec.Args ?? [])
        {
            args.Add(states.GetValueOrDefault(f.Metadata.NamespaceProperty + "/" + a)?.Result ?? "");
        }

        args.AddRange(f.Spec.ExtraArgs ?? []);
        return args;
    }

    // ---- API calls ---------------------------------------------------------------------------------------------

    private async Task CreateAndBindAsync(
        HandoffFunction f, V1Pod pod, string handoffNode, string nodeName, Dictionary<string, FunctionState> states, CancellationToken ct)
    {
        var key = KeyOf(f);
        V1Pod created;
        try
        {
            created = await _client.CoreV1.CreateNamespacedPodAsync(pod, pod.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // AlreadyExists: the pod name is deterministic, so this attempt was already created (e.g. before a restart).
            created = await _client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
            if (created.Metadata.DeletionTimestamp is not null)
            {
                _tracker.Release(key);
                throw new InvalidOperationException($"pod {pod.Metadata.Name} is still being deleted", ex);
            }
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest)
        {
            _tracker.Release(key);
            var message = "invalid pod template: " + ApiMessage(ex);
            lock (states)
            {
                states[key] = states[key] with
                {
                    Kind = StateKind.Failed,
                    Reason = Reasons.InvalidTemplate,
                    Message = message,
                    CompletionTime = _time.GetUtcNow().UtcDateTime,
                };
            }

            _metrics.SchedulingAttempts.WithLabels("error").Inc();
            await _events.RecordAsync(f, "Warning", Reasons.InvalidTemplate, message, ct);
            return;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            _metrics.ApiErrors.WithLabels("create-pod").Inc();
            _tracker.Release(key);
            lock (states)
            {
                states[key] = states[key] with { SkipStatusWrite = true };
            }

            throw;
        }

        _pods.Upsert(created);
        try
        {
            await BindAsync(f, created, handoffNode, nodeName, ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // The pod exists but is not bound: keep the capacity (the next pass binds it) and do not claim Scheduled yet.
            lock (states)
            {
                states[key] = states[key] with { SkipStatusWrite = true };
            }

            throw;
        }

        _metrics.SchedulingAttempts.WithLabels("scheduled").Inc();
        if (_memo.TryGetValue(key, out var memo) && memo.ReadySince is { } since)
        {
            _metrics.SchedulingLatency.Observe(_time.GetElapsedTime(since).TotalSeconds);
            memo.ReadySince = null;
        }

        if (!_options.ScheduledEvents)
        {
            return;
        }

        await _events.RecordAsync(
            f, "Normal", Reasons.Scheduled, $"Successfully assigned {created.Metadata.NamespaceProperty}/{created.Metadata.Name} to {handoffNode} (node {nodeName})", ct);
    }

    private async Task BindAsync(HandoffFunction f, V1Pod pod, string handoffNode, string nodeName, CancellationToken ct)
    {
        if (FunctionPods.IsBound(pod))
        {
            return;
        }

        var binding = new V1Binding
        {
            Metadata = new V1ObjectMeta { Name = pod.Metadata.Name, NamespaceProperty = pod.Metadata.NamespaceProperty },
            Target = new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = nodeName },
        };
        try
        {
            using var response = await _client.CoreV1.CreateNamespacedPodBindingWithHttpMessagesAsync(
                binding, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
            var current = await _client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
            _pods.Upsert(current);
            if (!FunctionPods.IsBound(current))
            {
                throw;
            }

            return;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            _metrics.ApiErrors.WithLabels("bind-pod").Inc();
            throw;
        }

        // The cache keeps a trimmed copy anyway; take one and mark it bound (the API's answer to a Binding is a Status).
        var bound = CacheTransforms.Pod(pod);
        bound.Spec.NodeName = nodeName;
        _pods.Upsert(bound);
        _logger.LogInformation("Bound {Namespace}/{Pod} to {HandoffNode} (node {Node}) for {Function}",
            pod.Metadata.NamespaceProperty, pod.Metadata.Name, handoffNode, nodeName, f.Metadata.Name);
    }

    private async Task DeletePodAsync(V1Pod pod, CancellationToken ct)
    {
        try
        {
            await _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
            _logger.LogWarning("Deleted unbound pod {Namespace}/{Pod}: its capacity is no longer available", pod.Metadata.NamespaceProperty, pod.Metadata.Name);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            _metrics.ApiErrors.WithLabels("delete-pod").Inc();
            throw;
        }

        _pods.Remove(ResourceCache<V1Pod>.KeyOf(pod));
    }

    private static string ApiMessage(HttpOperationException ex)
    {
        try
        {
            var status = KubernetesJson.Deserialize<V1Status>(ex.Response.Content);
            if (!string.IsNullOrEmpty(status?.Message))
            {
                return status.Message;
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return ex.Response.Content is { Length: > 0 } c ? c : ex.Message;
    }

    // ---- status ------------------------------------------------------------------------------------------------

    /// <summary>
    /// False when the function's status cannot need a write: terminal and unchanged, or the object and its state are
    /// the same as when its status was last found or made right (the desired status is a function of the two; the
    /// clock only matters when one of them changes).
    /// </summary>
    private bool StatusMayDiffer(HandoffFunction f, FunctionState state) =>
        state.Kind != StateKind.TerminalUnchanged && !state.SkipStatusWrite &&
        !(_memo.TryGetValue(KeyOf(f), out var memo) && memo.StatusChecked == (f.Metadata.ResourceVersion, state));

    private async Task WriteFunctionStatusAsync(HandoffFunction f, FunctionState state, DateTime now, CancellationToken ct)
    {
        var key = KeyOf(f);
        var memo = _memo.GetOrAdd(key, _ => new Memo());
        var checkedKey = (f.Metadata.ResourceVersion, state);

        var current = f.Status ?? new HandoffFunctionStatus();
        var desired = BuildStatus(f, state, now);
        if (StatusPatches.SameJson(current, desired))
        {
            memo.StatusChecked = checkedKey;
            return;
        }

        await EmitEventsAsync(f, state, memo, ct);
        try
        {
            var patch = new V1Patch(StatusPatches.MergePatch(desired), V1Patch.PatchType.MergePatch);
            var updated = await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync<HandoffFunction>(
                patch, HandoffApi.Group, HandoffApi.Version, f.Metadata.NamespaceProperty, HandoffApi.FunctionPlural, f.Metadata.Name,
                cancellationToken: ct);
            _functions.Upsert(updated);
            memo.StatusChecked = (updated.Metadata.ResourceVersion, state);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Deleted meanwhile.
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            _metrics.ApiErrors.WithLabels("patch-function-status").Inc();
            throw;
        }
    }

    private async Task EmitEventsAsync(HandoffFunction f, FunctionState state, Memo memo, CancellationToken ct)
    {
        string? type = null, reason = null, message = null;
        switch (state.Kind)
        {
            case StateKind.Pending when state.SchedulingMessage is not null:
                type = "Warning";
                reason = Reasons.FailedScheduling;
                message = state.SchedulingMessage;
                break;
            case StateKind.BackingOff when memo.NewRetry:
                memo.NewRetry = false;
                type = "Normal";
                reason = Reasons.Retrying;
                message = state.Message;
                break;
            case StateKind.Failed when state.Reason is Reasons.DependencyFailed or Reasons.DependencyCycle or InvalidSpecReason or Reasons.RetriesExhausted:
                type = "Warning";
                reason = state.Reason == Reasons.RetriesExhausted ? Reasons.Failed : state.Reason;
                message = state.Message;
                break;
            case StateKind.Waiting when state.DependencyProblem == Reasons.UnknownDependency:
                type = "Warning";
                reason = Reasons.UnknownDependency;
                message = state.Message;
                break;
            default:
                break;
        }

        if (reason is null || message is null)
        {
            return;
        }

        var eventKey = reason + "|" + message;
        if (memo.LastEvent == eventKey)
        {
            return;
        }

        memo.LastEvent = eventKey;
        if (reason == Reasons.FailedScheduling)
        {
            _metrics.SchedulingAttempts.WithLabels(state.Reason == Reasons.Unschedulable ? "unschedulable" : "unavailable").Inc();
        }

        await _events.RecordAsync(f, type!, reason, message, ct);
    }

    private HandoffFunctionStatus BuildStatus(HandoffFunction f, FunctionState s, DateTime now)
    {
        var current = f.Status ?? new HandoffFunctionStatus();
        var phase = s.Kind switch
        {
            StateKind.Waiting => FunctionPhases.Waiting,
            StateKind.Pending or StateKind.BackingOff or StateKind.NotStarted => FunctionPhases.Pending,
            StateKind.Scheduled => FunctionPhases.Scheduled,
            StateKind.Running => FunctionPhases.Running,
            StateKind.Succeeded => FunctionPhases.Succeeded,
            _ => FunctionPhases.Failed,
        };
        var terminal = FunctionPhases.IsTerminal(phase);
        var placed = s.Kind is StateKind.Scheduled or StateKind.Running or StateKind.Succeeded ||
                     (s.Kind == StateKind.Failed && s.Reason == Reasons.RetriesExhausted);
        var conditions = new List<HandoffCondition>
        {
            s.DependencyProblem is { } problem
                ? Condition(ConditionTypes.DependenciesReady, ConditionStatus.False, problem, s.Message)
                : s.Kind == StateKind.Waiting
                    ? Condition(ConditionTypes.DependenciesReady, ConditionStatus.False, Reasons.WaitingForDependencies, s.Message)
                    : Condition(ConditionTypes.DependenciesReady, ConditionStatus.True, "DependenciesSucceeded",
                        (f.Spec.Args?.Count ?? 0) == 0 ? "no args" : "all args succeeded"),
            placed
                ? Condition(ConditionTypes.Scheduled, ConditionStatus.True, Reasons.Scheduled, $"pod {s.PodName} bound to {s.Node}")
                : Condition(ConditionTypes.Scheduled, ConditionStatus.False,
                    s.Kind == StateKind.Pending ? s.Reason : s.Kind == StateKind.BackingOff ? Reasons.Retrying : s.Kind == StateKind.Failed ? s.Reason : s.Kind == StateKind.Waiting ? Reasons.WaitingForDependencies : "NotScheduled",
                    s.Kind is StateKind.Pending or StateKind.BackingOff or StateKind.Failed ? s.Message : null),
            terminal
                ? Condition(ConditionTypes.Completed, ConditionStatus.True, phase == FunctionPhases.Succeeded ? Reasons.Succeeded : s.Reason ?? Reasons.Failed, s.Message)
                : Condition(ConditionTypes.Completed, ConditionStatus.False, phase, null),
        };
        var status = new HandoffFunctionStatus
        {
            Phase = phase,
            Node = s.Node,
            PodName = s.PodName,
            Attempts = s.Attempts,
            Result = s.Kind == StateKind.Succeeded ? s.Result : null,
            Message = s.Message,
            RetryAfter = s.Kind is StateKind.BackingOff || (s.Kind == StateKind.Pending && s.RetryAfter is not null) ? s.RetryAfter : null,
            StartTime = s.StartTime ?? current.StartTime,
            CompletionTime = terminal ? (current.CompletionTime ?? StatusPatches.TruncateToSeconds(s.CompletionTime ?? now)) : null,
            ObservedGeneration = f.Metadata.Generation,
        };
        status.Conditions = StatusPatches.MergeConditions(current.Conditions, conditions, now, f.Metadata.Generation);
        return status;
    }

    private static HandoffCondition Condition(string type, string status, string? reason, string? message) =>
        new() { Type = type, Status = status, Reason = reason, Message = message };

    /// <summary>What the node's status is computed from; the same inputs as last checked = nothing to write.</summary>
    private NodeStatusInputs NodeStatusInputsOf(HandoffNode hn, string? problem)
    {
        var (ready, reason, message) = problem is null ? NodeReadiness(hn) : (false, InvalidSpecReason, problem);
        return new NodeStatusInputs(hn.Metadata.ResourceVersion, _tracker.GetNode(hn.Metadata.Name), ready, reason, message);
    }

    private async Task WriteNodeStatusAsync(HandoffNode hn, NodeStatusInputs inputs, CancellationToken ct)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var (usage, ready, reason, message) = (inputs.Usage, inputs.Ready, inputs.Reason, inputs.Message);
        var current = hn.Status ?? new HandoffNodeStatus();
        var desired = new HandoffNodeStatus
        {
            Allocated = usage?.Allocated.ToDictionary() ?? new Dictionary<string, string>(),
            Available = usage?.Available.ToDictionary() ?? new Dictionary<string, string>(),
            Functions = usage?.Holders ?? 0,
            ObservedGeneration = hn.Metadata.Generation,
        };
        desired.Conditions = StatusPatches.MergeConditions(
            current.Conditions,
            [Condition(ConditionTypes.Ready, ready ? ConditionStatus.True : ConditionStatus.False, reason, message)],
            now, hn.Metadata.Generation);
        if (StatusPatches.SameJson(current, desired))
        {
            _nodeStatusChecked[hn.Metadata.Name] = inputs;
            return;
        }

        try
        {
            var patch = new V1Patch(StatusPatches.MergePatch(desired), V1Patch.PatchType.MergePatch);
            var updated = await _client.CustomObjects.PatchClusterCustomObjectStatusAsync<HandoffNode>(
                patch, HandoffApi.Group, HandoffApi.Version, HandoffApi.NodePlural, hn.Metadata.Name, cancellationToken: ct);
            _handoffNodes.Upsert(updated);
            _nodeStatusChecked[hn.Metadata.Name] = inputs with { ResourceVersion = updated.Metadata.ResourceVersion };
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            _metrics.ApiErrors.WithLabels("patch-node-status").Inc();
            throw;
        }
    }

    private void UpdateMetrics(Dictionary<string, FunctionState> states)
    {
        var phases = states.Values.Select(s => s.Kind switch
        {
            StateKind.TerminalUnchanged => s.TerminalPhase ?? FunctionPhases.Failed,
            StateKind.Waiting => FunctionPhases.Waiting,
            StateKind.Scheduled => FunctionPhases.Scheduled,
            StateKind.Running => FunctionPhases.Running,
            StateKind.Succeeded => FunctionPhases.Succeeded,
            StateKind.Failed => FunctionPhases.Failed,
            _ => FunctionPhases.Pending,
        }).GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
        foreach (var phase in new[] { FunctionPhases.Waiting, FunctionPhases.Pending, FunctionPhases.Scheduled, FunctionPhases.Running, FunctionPhases.Succeeded, FunctionPhases.Failed })
        {
            _metrics.FunctionsByPhase.WithLabels(phase).Set(phases.GetValueOrDefault(phase));
        }

        // Only what changed: 5,000 nodes × resources are too many gauges to set on every pass.
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var usage in _tracker.Snapshot())
        {
            present.Add(usage.Node);
            if (_reportedUsage.TryGetValue(usage.Node, out var reported) && reported == usage)
            {
                continue;
            }

            if (reported is not null)
            {
                RemoveNodeSeries(usage.Node, reported.Capacity.Select(r => r.Key).Except(usage.Capacity.Select(r => r.Key), StringComparer.Ordinal));
            }

            foreach (var (resource, milli) in usage.Capacity)
            {
                _metrics.NodeCapacity.WithLabels(usage.Node, resource).Set(milli / 1000.0);
                _metrics.NodeAllocated.WithLabels(usage.Node, resource).Set(usage.Allocated[resource] / 1000.0);
            }

            _reportedUsage[usage.Node] = usage;
        }

        foreach (var gone in _reportedUsage.Keys.Where(n => !present.Contains(n)).ToList())
        {
            RemoveNodeSeries(gone, _reportedUsage[gone].Capacity.Select(r => r.Key));
            _reportedUsage.Remove(gone);
        }
    }

    private void RemoveNodeSeries(string node, IEnumerable<string> resources)
    {
        foreach (var resource in resources)
        {
            _metrics.NodeCapacity.RemoveLabelled(node, resource);
            _metrics.NodeAllocated.RemoveLabelled(node, resource);
        }
    }

    // ---- state -------------------------------------------------------------------------------------------------

    private enum StateKind
    {
        TerminalUnchanged,
        NotStarted,
        BackingOff,
        Waiting,
        Pending,
        Scheduled,
        Running,
        Succeeded,
        Failed,
    }

    /// <summary>What this pass decided about one function (its desired status).</summary>
    private sealed record FunctionState(StateKind Kind)
    {
        public string? TerminalPhase { get; init; }

        public string? Node { get; init; }

        public string? PodName { get; init; }

        public int Attempts { get; init; }

        public string? Result { get; init; }

        public string? Reason { get; init; }

        public string? Message { get; init; }

        public string? SchedulingMessage { get; init; }

        public string? DependencyProblem { get; init; }

        public DateTime? RetryAfter { get; init; }

        public DateTime? StartTime { get; init; }

        public DateTime? CompletionTime { get; init; }

        public bool DependenciesReady { get; init; }

        public bool Deleting { get; init; }

        public bool SkipStatusWrite { get; init; }

        public string? EffectivePhase => Kind switch
        {
            StateKind.TerminalUnchanged => TerminalPhase,
            StateKind.Succeeded => FunctionPhases.Succeeded,
            StateKind.Failed => FunctionPhases.Failed,
            _ => null,
        };

        public static FunctionState Terminal(HandoffFunctionStatus status) =>
            new(StateKind.TerminalUnchanged) { TerminalPhase = status.Phase, Result = status.Result, Node = status.Node, Attempts = status.Attempts };
    }

    /// <summary>What a HandoffNode's status is computed from.</summary>
    private sealed record NodeStatusInputs(string? ResourceVersion, NodeUsage? Usage, bool Ready, string Reason, string Message);

    /// <summary>Per-function memory within a term (never needed for correctness after a restart).</summary>
    private sealed class Memo
    {
        public long? ReadySince { get; set; }

        public int RetryAttempt { get; set; }

        public DateTime? RetryAfter { get; set; }

        public bool NewRetry { get; set; }

        public string? LastEvent { get; set; }

        /// <summary>A pod this term deleted because it was unbound and its capacity was gone.</summary>
        public string? DeletedUnboundPod { get; set; }

        /// <summary>The function's resourceVersion and state when its status was last found or written right.</summary>
        public (string? ResourceVersion, FunctionState State)? StatusChecked { get; set; }
    }
}
