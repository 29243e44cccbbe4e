// Over 400 lines: the pass is one method on purpose — its steps share the pass's locals (views, decisions, what was done).
using System.Collections.Concurrent;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;
using Handoff.Core.Scheduling;
using Handoff.Core.Workloads;
using Handoff.Core.Tracking;
using Handoff.Operator.Controllers;
using Handoff.Operator.Infrastructure;
using k8s.Models;

namespace Handoff.Operator.Reconciliation;

/// <summary>
/// One leadership term's reconciler: each <see cref="ReconcileAsync"/> is a level-based pass over the cached cluster,
/// in numbered steps — pure ones that decide, and I/O ones that act and report (docs/architecture.md has the picture):
/// <list type="number">
/// <item>snapshot the caches;</item>
/// <item>HandoffNodes and Nodes → what may be scheduled on (<see cref="NodeView"/>);</item>
/// <item>pods → each function's attempts and what the live pods hold; the tracker is made to hold exactly that
/// (<see cref="PodView"/>, <see cref="TermState.SyncHoldings"/>);</item>
/// <item>each function's attempt state (<see cref="FunctionLifecycleStep"/>); finished work: pods to collect,
/// functions past their TTL, and the finished functions the rest of the pass can set aside (<see cref="FinishedWorkStep"/>);</item>
/// <item>dependencies (<see cref="DependencyStep"/>), and what each ready function would be handed, within Core's limits
/// (<see cref="InputStep"/>);</item>
/// <item>one scheduling cycle over the ready functions (<see cref="SchedulingStep"/>);</item>
/// <item>act: pods created and bound (each function's status written right after its binding), unbound pods bound or
/// deleted, finished work collected (<see cref="Actuator"/>);</item>
/// <item>report: the desired statuses (<see cref="StatusReportStep"/>, <see cref="NodeStatusStep"/>) — of the functions
/// nothing was decided for and of the nodes while the actions run, of the rest once they are done;</item>
/// <item>write what changed, and the Events of states that lasted (<see cref="StatusWriter"/>).</item>
/// </list>
/// Nothing is decided from memory: every pass makes the tracker hold exactly what the live pods hold (from the pods
/// that changed, when the pod cache can say which; else from every pod), and the memos of <see cref="TermState"/>
/// only save work.
/// </summary>
public sealed partial class Reconciler(
    OperatorOptions options, TimeProvider time, OperatorMetrics metrics, TermState term, Actuator actuator, StatusWriter writer, ILogger<Reconciler> logger,
    ResourceCache<HandoffNode> handoffNodes, ResourceCache<HandoffFunction> functions, ResourceCache<PodRecord> pods, ResourceCache<V1Node> nodes,
    Func<IReadOnlyList<InvalidObject>> invalidObjects)
{
    private static readonly TimeSpan EventConfirmationDelay = TimeSpan.FromSeconds(1);
    private readonly RetryPolicy _retry = new(HandoffApi.DefaultMaxRetries) { InitialBackoff = options.RetryBackoffInitial, MaxBackoff = options.RetryBackoffMax };
    private readonly FinishedWorkDefaults _finishedDefaults = FinishedWorkDefaults.Of(options);
    private readonly Lazy<Core.Nodes.LabelSelector> _discoverySelector = new(() => Core.Nodes.LabelSelectorParser.Parse(options.DiscoverNodesSelector));

    /// <summary>HandoffQueues, PriorityClasses and Namespaces (api.md, "Queues"); null: no queues, the first round's rules.</summary>
    public QueueCaches? QueueCaches { get; init; }

    /// <summary>The term's tracker (read-only use outside the reconciler).</summary>
    public IResourceTracker Tracker => term.Tracker;

    /// <summary>Runs one pass; returns when the next pass is due without any event (a back-off ends), or null.</summary>
    public async Task<TimeSpan?> ReconcileAsync(CancellationToken cancellationToken)
    {
        // 1.
        var snapshot = (ClusterSnapshot.Take(time.GetUtcNow(), handoffNodes, nodes, functions, pods) with { Invalid = invalidObjects() }).WithQueues(QueueCaches);

        // 2.–6.
        var (nodeView, podView, holdings, finished, dependencies, views, inputs, scheduling) =
            PassDecisions.Decide(snapshot, term, options.SchedulerName, _retry, _finishedDefaults, cancellationToken);
        // Indexes of the views, made only on the passes that need them (preemptions, pods left unbound by a restart).
        var byUidView = new Lazy<Dictionary<string, FunctionView>>(
            () => views.Where(f => f.Object.Metadata.Uid is not null).ToDictionary(f => f.Object.Metadata.Uid, StringComparer.Ordinal));
        var byKey = new Lazy<Dictionary<string, FunctionView>>(() => views.ToDictionary(f => f.Key, StringComparer.Ordinal));

        foreach (var unplaced in scheduling.Cycle.Unplaced)
        {
            metrics.SchedulingAttempts.WithLabels(unplaced.Reason == Reasons.Unschedulable ? "unschedulable" : "unavailable").Inc();
        }

        // 7. + pipelined 8/9 for the functions placed or bound now.
        var errors = new ConcurrentBag<Exception>();
        var placedNow = new ConcurrentDictionary<string, FunctionReport?>(StringComparer.Ordinal);
        var stale = 0;
        var actions = new List<Func<CancellationToken, Task>>();
        var preemptedNow = scheduling.Cycle.Preemptions.Count == 0
            ? new ConcurrentDictionary<string, FunctionReport>(StringComparer.Ordinal)
            : PreemptionActions(scheduling, byKey.Value, podView, actions);
        var statusWrites = new PipelinedWrites(Math.Max(1, options.ApiParallelism / 4), errors, cancellationToken);

        // A function's placement: create and bind its pod, then queue its status write (beside the next placements).
        async Task PlaceAsync(Placement placement, FunctionWorkload offer, PlacementOutcome? decided, V1Pod pod, HandoffNodeState target, CancellationToken ct)
        {
            var f = offer.Function;
            placedNow[f.Key] = null;
            var outcome = decided ?? await actuator.PlaceAsync(pod, f.Object.Metadata.Uid, placement.Workload.Holder, target.KubernetesNode, ct);
            if (outcome.Result == PlacementResult.Bound)
            {
                metrics.SchedulingAttempts.WithLabels("scheduled").Inc();
                metrics.SchedulingLatency.Observe(Math.Max(0, (time.GetUtcNow() - placement.Workload.Order.ReadySince).TotalSeconds));
                if (SuspiciousQuantity.InCost(f.Key, f.Mapped!.DeclaredCost, target.Info?.CountsPods == true) is { } suspicious)
                {
                    statusWrites.Add(c => writer.RecordOnceAsync(f, new EventReport("Warning", SuspiciousQuantity.Reason, suspicious.Message), c));
                }
            }

            var report = StatusReportStep.For(f, offer.Dependencies, placement, offer.PodName, offer.Attempt, null, outcome, false, snapshot.Now, options.ScheduledEvents);
            placedNow[f.Key] = report;
            if (report is not null)
            {
                statusWrites.Add(async c =>
                {
                    if (await writer.WriteFunctionAsync(f, report, c) == WriteResult.Stale)
                    {
                        Interlocked.Increment(ref stale);
                    }
                });
            }
        }

        var gangPlacements = new Dictionary<string, List<(Placement Placement, FunctionWorkload Offer, V1Pod Pod, HandoffNodeState Target)>>(StringComparer.Ordinal);
        foreach (var placement in scheduling.Cycle.Placed)
        {
            if (placement.Workload.Kind == WorkloadKind.Pod)
            {
                var plain = scheduling.OfferedPods[placement.Workload.Id];
                var node = nodeView.Find(placement.Node)!;
                var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [HandoffApi.HandoffNodeAnnotation] = placement.Node,
                    [HandoffApi.CostAnnotation] = System.Text.Json.JsonSerializer.Serialize(plain.Mapped!.Placement.Cost.ToDictionary()),
                };
                actions.Add(async ct =>
                {
                    if (await actuator.BindAsync(plain.Record, node.KubernetesNode, ct, annotations))
                    {
                        metrics.SchedulingAttempts.WithLabels("scheduled").Inc();
                    }
                });
                continue;
            }

            var offer = scheduling.Offered[placement.Workload.Id];
            var f = offer.Function;
            var target = nodeView.Find(placement.Node)!;
            var given = inputs.GetValueOrDefault(f.Key)
                ?? throw new InvalidOperationException($"{f.Key} was placed without its inputs: InputStep and SchedulingStep must agree on what may be offered");
            var pod = FunctionPods.Build(f.Object, f.Mapped!, offer.PodName, offer.Attempt, placement.Node, options.SchedulerName, given);
            if (placement.Workload.Gang is { } gang)
            {
                if (!gangPlacements.TryGetValue(gang.Key, out var members))
                {
                    gangPlacements[gang.Key] = members = [];
                }

                members.Add((placement, offer, pod, target));
                continue;
            }

            // Until the I/O says otherwise (it may throw), the status stays as it is.
            actions.Add(ct => PlaceAsync(placement, offer, null, pod, target, ct));
        }

        // A gang's members: every pod created before any is bound, so a crash in between leaves unbound pods only, which
        // the next pass binds when the gang is whole and deletes when it is not (api.md, "Queues", rule 3).
        foreach (var (gang, members) in gangPlacements)
        {
            actions.Add(async ct =>
            {
                var created = await Task.WhenAll(members.Select(m => actuator.CreateAsync(m.Pod, m.Offer.Function.Object.Metadata.Uid, m.Placement.Workload.Holder, ct)));
                if (created.Any(c => c.Created is null))
                {
                    Log.PartialGangReleased(logger, gang, created.Count(c => c.Created is not null), members.Count);
                    await Task.WhenAll(created.Where(c => c.Created is not null).Select(c => actuator.DeletePodAsync(c.Created!, "its gang could not be created whole", ct)));
                    await Task.WhenAll(members.Select((m, i) => PlaceAsync(m.Placement, m.Offer, created[i].Failure ?? new PlacementOutcome(PlacementResult.NotDone), m.Pod, m.Target, ct)));
                    return;
                }

                var bound = await Task.WhenAll(members.Select((m, i) => actuator.BindAsync(created[i].Created!, m.Target.KubernetesNode, ct)));
                await Task.WhenAll(members.Select((m, i) => PlaceAsync(
                    m.Placement, m.Offer, new PlacementOutcome(bound[i] ? PlacementResult.Bound : PlacementResult.NotDone), m.Pod, m.Target, ct)));
            });
        }

        var boundNow = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var placedPerGang = scheduling.Cycle.Placed.Where(p => p.Workload.Gang is not null).GroupBy(p => p.Workload.Gang!.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var (pod, handoffNode) in holdings.ToBind)
        {
            if (PartialGangOf(pod, byUidView.Value, scheduling, placedPerGang) is { } partial)
            {
                // Left unbound by a placement cut short (a restart): the gang is not whole, so it holds nothing.
                Log.PartialGangReleased(logger, partial, scheduling.Gangs.Placed(partial), scheduling.Gangs.MinMembers(partial));
                actions.Add(ct => actuator.DeletePodAsync(pod.Pod, "its gang was not created whole", ct));
                continue;
            }

            var kubernetesNode = nodeView.Find(handoffNode)!.KubernetesNode;
            actions.Add(async ct =>
            {
                if (await actuator.BindAsync(pod.Pod, kubernetesNode, ct) && pod.OwnerUid is { } uid)
                {
                    boundNow[uid] = true;
                }
            });
        }

        foreach (var unplaced in scheduling.Cycle.Unplaced.Where(u => u.Workload.Kind == WorkloadKind.Pod))
        {
            var plain = scheduling.OfferedPods[unplaced.Workload.Id];
            actions.Add(ct => actuator.ReportUnschedulableAsync(plain.Pod, unplaced.Message, ct));
            actions.Add(ct => writer.RecordPodEventAsync(plain.Record.Metadata, new EventReport("Warning", Reasons.FailedScheduling, unplaced.Cause), ct));
        }

        foreach (var (id, plain) in scheduling.BlockedPods)
        {
            var block = scheduling.Blocked[id];
            actions.Add(ct => actuator.ReportUnschedulableAsync(plain.Pod, block.Message, ct));
            actions.Add(ct => writer.RecordPodEventAsync(plain.Record.Metadata, new EventReport("Warning", block.Reason, block.Message), ct));
        }

        // A victim whose status says Preempted but whose pod still runs (a restart between the two writes): delete it now.
        foreach (var f in views)
        {
            if (f.State is Active { Preempted: true, Pod.Terminating: false } && f.LivePod is { } live && !preemptedNow.ContainsKey(f.Key))
            {
                actions.Add(ct => actuator.DeletePodAsync(live.Pod, f.Record.Message ?? Reasons.Preempted, ct));
            }
        }

        foreach (var plain in podView.Pending.Where(p => p.Problem is not null))
        {
            actions.Add(ct => actuator.ReportUnschedulableAsync(plain.Pod, plain.Problem!, ct));
        }

        if (options.DiscoverNodes)
        {
            foreach (var action in DiscoveryStep.Plan(snapshot, _discoverySelector.Value))
            {
                actions.Add(ct => actuator.DiscoverAsync(action, handoffNodes, ct));
            }
        }

        foreach (var pod in holdings.ToDelete)
        {
            actions.Add(ct => actuator.DeletePodAsync(pod.Pod, "created but not bound, and its capacity is no longer available", ct));
        }

        foreach (var collect in finished.Pods)
        {
            actions.Add(ct => actuator.CollectPodAsync(collect, ct));
        }

        foreach (var expired in finished.Expired)
        {
            actions.Add(ct => actuator.DeleteExpiredAsync(expired, ct));
        }

        // 8. + 9. Reports are made here, in the pass; only those that change a status or bring an Event become writes
        // (most functions' statuses stand: in a long run they are nearly all of them). A function nothing was decided
        // for, and every node, is reported while the actions run, its writes queued beside them; the functions the pass
        // placed, bound or preempted are reported once their actions are done.
        var confirmEvents = 0;
        var reportNow = new ObservedNow(snapshot.Now);
        var phases = new List<FunctionPhase?>(views.Count + finished.SetAside.Count);
        var writes = new List<Func<CancellationToken, Task>>();
        var decided = DecidedFor(scheduling, preemptedNow, byKey);
        var binding = holdings.ToBind.Count == 0 ? null : holdings.ToBind.Select(b => b.Pod.OwnerUid).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var afterActions = new List<(FunctionView View, DependencyState Dependencies)>();

        // One function's report, and its writes handed to write.
        void Report(FunctionView f, DependencyState deps, Action<Func<CancellationToken, Task>> write)
        {
            if (preemptedNow.TryGetValue(f.Key, out var preempted))
            {
                // Written (with its Event) before its pod was deleted.
                phases.Add(preempted.Phase);
                return;
            }

            var writtenNow = placedNow.TryGetValue(f.Key, out var report);
            var settles = false;
            if (!writtenNow)
            {
                var offered = scheduling.Offered.GetValueOrDefault(f.Key);
                var block = scheduling.Blocked.GetValueOrDefault(f.Key);
                var gangFailure = scheduling.GangFailures.GetValueOrDefault(f.Key);
                var unplaced = scheduling.UnplacedOf(f.Key);
                var bound = f.Object.Metadata.Uid is { } uid && boundNow.ContainsKey(uid);
                // Nothing this pass decided or did for it: its report is made of its view and dependencies alone, and
                // is noted as standing below when it is found written.
                settles = offered is null && block is null && gangFailure is null && unplaced is null && !bound;
                var queued = block is null && gangFailure is null ? null : new QueueVerdict(block, gangFailure);
                reportNow.Forget();
                report = StatusReportStep.For(f, deps, null, offered?.PodName, offered?.Attempt ?? 0, unplaced, null, bound, reportNow, options.ScheduledEvents, queued);
            }

            phases.Add(report?.Phase ?? f.Record.Phase);
            var writeStatus = report is not null && !writtenNow && !writer.IsWritten(f, report);
            var recordEvent = report is not null && writer.HasEventToRecord(f, report);
            if (settles)
            {
                TermState.Settle(f, deps, report?.Phase ?? f.Record.Phase, settled: !writeStatus && !recordEvent && !reportNow.WasRead);
            }

            if (!writeStatus && !recordEvent)
            {
                return;
            }

            // A status that contradicts the one written from a pod (finished, yet a pod seen live; running, yet its pod
            // not seen) is written only once the API server confirms the pod: after a takeover the new leader's pod
            // watch can be behind its function watch.
            var takesBackTerminal = writeStatus && TakesBackTerminal(f, report!);
            var missingPod = writeStatus && !takesBackTerminal ? f.UnseenRecordedPod : null;
            write(async ct =>
            {
                if ((takesBackTerminal && !await actuator.ConfirmLiveAsync(LiveSinceRecorded(f), ct))
                    || (missingPod is not null && !await actuator.ConfirmGoneAsync(f.Namespace, missingPod, ct)))
                {
                    // The pod cache was behind: the status stands, and the next pass sees the pod as it is.
                    Interlocked.Increment(ref stale);
                    return;
                }

                if (writeStatus && await writer.WriteFunctionAsync(f, report!, ct) == WriteResult.Stale)
                {
                    Interlocked.Increment(ref stale);
                }

                if (recordEvent && await writer.RecordEventIfLastingAsync(f, report!, ct))
                {
                    Interlocked.Increment(ref confirmEvents);
                }
            });
        }

        var acting = RunAsync(actions, options.ApiParallelism, errors, cancellationToken);
        try
        {
            for (var i = 0; i < views.Count + finished.SetAside.Count; i++)
            {
                var (f, deps) = i < views.Count ? (views[i], dependencies[i]) : (finished.SetAside[i - views.Count], DependencyState.Ready);
                if (decided.Contains(f) || (binding is not null && f.Object.Metadata.Uid is { } uid && binding.Contains(uid)))
                {
                    afterActions.Add((f, deps));
                }
                else if (term.IsSettled(f, deps, out var standing))
                {
                    // Where its view and dependencies are the ones last found written (and the time was not read), its
                    // report stands and is not made again: most functions, in two lookups.
                    phases.Add(standing);
                }
                else
                {
                    Report(f, deps, statusWrites.Add);
                }
            }

            var nodesAsTheyAre = term.NodesReportedAsTheyAre(nodeView);
            var nodesSettled = new bool[nodeView.States.Count];
            for (var i = 0; i < nodesSettled.Length; i++)
            {
                if (nodesAsTheyAre?[i] == true)
                {
                    nodesSettled[i] = true;
                    continue;
                }

                var node = nodeView.States[i];
                var report = term.NodeReport(node, node.Info is null ? null : term.Tracker.GetNode(node.Name),
                    node.Info is { CountsPods: true } ? podView.ExternalOf(node.KubernetesNode) : null);
                var writeStatus = !writer.IsWritten(node, report);
                var recordEvent = writer.HasEventToRecord(node, report);
                if (!writeStatus && !recordEvent)
                {
                    nodesSettled[i] = true;
                    continue;
                }

                statusWrites.Add(async ct =>
                {
                    if (writeStatus && await writer.WriteNodeAsync(node, report, ct) == WriteResult.Stale)
                    {
                        Interlocked.Increment(ref stale);
                    }

                    if (recordEvent)
                    {
                        await writer.RecordNodeEventAsync(node, report, ct);
                    }
                });
            }

            term.NodesReported(nodeView, nodesSettled);
            foreach (var invalid in snapshot.Invalid)
            {
                statusWrites.Add(ct => writer.ReportInvalidAsync(invalid, ct));
            }
        }
        finally
        {
            await acting;
        }

        // The statuses of the functions placed now, and the reports above, are still being written while the functions
        // acted on are reported (nothing below reads them), and awaited before those are written.
        var written = statusWrites.CompleteAsync(options.ApiParallelism);
        foreach (var (f, deps) in afterActions)
        {
            Report(f, deps, writes.Add);
        }

        var queueReports = QueueStatusStep.For(scheduling);
        var queueObjects = snapshot.Queues.ToDictionary(q => q.Metadata.Name, StringComparer.Ordinal);
        foreach (var report in queueReports)
        {
            writes.Add(async ct =>
            {
                if (await writer.WriteQueueAsync(queueObjects[report.Name], report, ct) == WriteResult.Stale)
                {
                    Interlocked.Increment(ref stale);
                }
            });
        }

        await written;
        await RunAsync(writes, options.ApiParallelism, errors, cancellationToken);
        term.Forget(
            SeenKeys.Of(views.Count + finished.SetAside.Count, () => views.Concat(finished.SetAside).Select(f => f.Key)),
            SeenKeys.Of(snapshot.Functions.Count, () => snapshot.Functions.Select(f => f.Metadata.Uid ?? f.Metadata.Name)),
            SeenKeys.Of(nodeView.States.Count, () => nodeView.States.Select(s => s.Name)),
            SeenKeys.Of(podView.Pending.Count, () => podView.Pending.Select(p => p.Key)));
        UpdateMetrics(phases, snapshot);
        UpdateQueueMetrics(queueReports);
        if (errors.OfType<LeaseLostException>().FirstOrDefault() is { } lost)
        {
            throw lost;
        }

        if (!errors.IsEmpty)
        {
            throw new AggregateException($"{errors.Count} API call(s) of this pass failed; the pass is retried", errors);
        }

        return NextPass(views, snapshot.Now, stale > 0, confirmEvents > 0, finished.NextExpiry);
    }

    /// <summary>
    /// The functions this pass decided something for: offered to the cycle (placed or not — the placed ones are all
    /// offered), kept out of it, failed with their gang, preempted. The others' reports are made of their views alone.
    /// Held by reference: every function of the pass is looked up in it, and a view hashes by its object header, not by
    /// its key's characters.
    /// </summary>
    private static HashSet<FunctionView> DecidedFor(
        SchedulingOutcome scheduling, ConcurrentDictionary<string, FunctionReport> preemptedNow, Lazy<Dictionary<string, FunctionView>> byKey)
    {
        var decided = new HashSet<FunctionView>(scheduling.Offered.Values.Select(o => o.Function), ReferenceEqualityComparer.Instance);
        decided.UnionWith(scheduling.BlockedFunctions);
        var keys = scheduling.GangFailures.Keys
            .Concat(scheduling.Cycle.Unplaced.Where(u => u.Workload.Kind != WorkloadKind.Pod).Select(u => u.Workload.Id))
            .Concat(preemptedNow.Keys);
        foreach (var key in keys)
        {
            if (scheduling.Offered.GetValueOrDefault(key)?.Function is { } offered)
            {
                decided.Add(offered);
            }
            else if (byKey.Value.GetValueOrDefault(key) is { } view)
            {
                decided.Add(view);
            }
        }

        return decided;
    }

    /// <summary>The report takes a terminal status back (<see cref="FunctionLifecycle.IsLiveSinceRecorded"/>: a live pod wins).</summary>
    private static bool TakesBackTerminal(FunctionView f, FunctionReport report) =>
        f.Record.Phase is { } recorded && recorded.IsTerminal() && !report.Phase.IsTerminal();

    /// <summary>The pods that make <see cref="TakesBackTerminal"/> true.</summary>
    private static PodRecord[] LiveSinceRecorded(FunctionView f) =>
        [.. f.Pods.Where(p => FunctionLifecycle.IsLiveSinceRecorded(f.Record, p.Attempt)).Select(p => p.Pod)];

    private static TimeSpan? NextPass(IReadOnlyList<FunctionView> views, DateTimeOffset now, bool stale, bool confirmEvents, DateTimeOffset? nextExpiry)
    {
        TimeSpan? wake = stale ? TimeSpan.Zero : confirmEvents ? EventConfirmationDelay : null;
        if (nextExpiry is { } expiry && (wake is null || expiry - now < wake))
        {
            wake = expiry - now;
        }

        foreach (var f in views)
        {
            if (f.State is BackingOff b)
            {
                var delay = b.RetryAfter - now;
                wake = wake is null || delay < wake ? delay : wake;
            }
        }

        return wake is { } w && w < TimeSpan.Zero ? TimeSpan.Zero : wake;
    }

    /// <summary>The cost of a pod placed before pods recorded theirs: its function's current cost, if it can be read.</summary>
    private static async Task RunAsync(List<Func<CancellationToken, Task>> actions, int parallelism, ConcurrentBag<Exception> errors, CancellationToken cancellationToken)
    {
        if (actions.Count == 0)
        {
            return;
        }

        await Parallel.ForEachAsync(
            actions, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
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
    }

    private void UpdateMetrics(List<FunctionPhase?> functionPhases, ClusterSnapshot snapshot)
    {
        // Counted in one walk, by the phase's value: this runs over every function on every pass.
        var phases = new int[FunctionPhases.All.Max(p => (int)p) + 1];
        foreach (var phase in functionPhases)
        {
            if (phase is { } known)
            {
                phases[(int)known]++;
            }
        }

        foreach (var phase in FunctionPhases.All)
        {
            metrics.FunctionsByPhase.WithLabels(phase.Name()).Set(phases[(int)phase]);
        }

        metrics.InvalidObjects.Set(snapshot.Invalid.Count);

        // Written at scrape time from the term's tracker (NodeMetricSeries): no gauge children per node and resource, and
        // no copy of every node's usage per pass.
        metrics.NodeSeries.Publish(term.Tracker.Snapshot);
    }
}
