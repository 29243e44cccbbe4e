// Over 400 lines: one run's simulation is one class on purpose — its event loop, states, queues and Job bookkeeping share the run (the queues' part — gangs, evictions, queue usage — is in Planner.Queues.cs).
using Handoff.Core.Allocation;
using Handoff.Core.Dag;
using Handoff.Core.Lifecycle;
using Handoff.Core.Queueing;
using Handoff.Core.Resources;
using Handoff.Core.Scheduling;
using Handoff.Core.Tracking;
using Handoff.Core.Tracking.Indexing;

namespace Handoff.Core.Planning;

/// <summary>
/// An event-driven simulation of what the operator does with the same functions and nodes: the same dependency
/// resolution (<see cref="DependencyResolver"/>), the same retry rule (<see cref="RetryPolicy"/>, back-off included),
/// and the same scheduling cycle (<see cref="SchedulingCycle"/>, queue order by ready time, creation, id).
/// </summary>
/// <remarks>
/// Time starts at 0, when every function is created (unless it says otherwise). At each instant, first every attempt
/// that ends then ends and releases its capacity, then every back-off that ends makes its function ready again, then
/// one scheduling cycle runs over the ready functions and the ones it places start at once; time jumps to the next end
/// or back-off. A function whose cost can never fit is Pending (<c>Unschedulable</c>) for good — nodes do not change
/// in a plan. Nodes are all taken as Ready. When a function becomes ready, what it would be handed is checked against
/// <see cref="InputLimits"/> as the operator checks it (<see cref="FunctionInputs.Check"/>); a plan does not know the
/// args' results, so it counts each as empty: it reports <c>InputTooLarge</c> only where the operator surely would (too
/// many args, or extraArgs too large by themselves), and a function whose real results push it over fails in the
/// operator but not in the plan.
/// <para>A pod of a Job (<see cref="PlanFunction.Job"/>) is created when its Job's controller would create it
/// (<see cref="JobShape"/>): at the start, or at the instant the success that creates it happens; it is then ready, and
/// queued by that creation.</para>
/// <para>Cost: bookkeeping is O((functions + args) · log functions) over a whole run — attempts in progress and
/// back-offs sit in priority queues, the ready set is kept by counting each function's unfinished args, and a failure
/// sweeps each dependent once; on top come the cycle's decisions at every instant.</para>
/// </remarks>
public static partial class Planner
{
    /// <summary>The instant a plan starts at, for the queue order's clock (whole seconds, as the API records time).</summary>
    public static readonly DateTimeOffset Start = DateTimeOffset.UnixEpoch;

    /// <summary>Runs the simulation. Throws <see cref="ArgumentException"/> on duplicate node or function ids.</summary>
    public static PlanResult Run(IEnumerable<NodeInfo> nodes, IEnumerable<PlanFunction> functions, CancellationToken cancellationToken = default) =>
        Run(nodes, functions, new PlannerOptions(), cancellationToken);

    /// <summary>
    /// Runs the simulation with a caller-chosen tracker and allocators (e.g. the plain tracker, to compare).
    /// Throws <see cref="ArgumentException"/> on duplicate node or function ids.
    /// </summary>
    public static PlanResult Run(IEnumerable<NodeInfo> nodes, IEnumerable<PlanFunction> functions, PlannerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var simulation = new Simulation(new NodeSet(nodes.Select(node => node with { Ready = true })), [.. functions], options);
        return simulation.Run(cancellationToken);
    }

    private enum Status
    {
        Idle,
        Ready,
        Running,
        BackingOff,
        Succeeded,
        Failed,
        Unschedulable,

        // Kept out of the cycle for good: its queue or PriorityClass is unknown or unusable (nothing changes in a plan).
        Blocked,
    }

    /// <summary>One function's state during the simulation.</summary>
    private sealed class State
    {
        public Status Status;
        public string? Node;
        public int Attempts;
        public TimeSpan? Start;
        public TimeSpan? End;
        public TimeSpan ReadySince;
        public Workload? Workload;
        public Unplaced? LastUnplaced;
        public string? Reason;
        public string? Message;
    }

    private sealed partial class Simulation
    {
        private readonly NodeSet _nodes;
        private readonly List<PlanFunction> _functions;
        private readonly PlannerOptions _options;
        private readonly FunctionGraph _graph;
        private readonly IResourceTracker _tracker;
        private readonly State[] _states;
        private readonly int[] _unfinishedArgs;
        private readonly bool[] _swept;
        private readonly SortedSet<(QueueOrderKey Key, int Index)> _ready = new();
        private readonly PriorityQueue<int, (TimeSpan End, int Index)> _running = new();
        private readonly PriorityQueue<int, (TimeSpan At, int Index)> _backingOff = new();
        private readonly List<int> _failedNow = [];
        private readonly Dictionary<string, string> _placements = new(StringComparer.Ordinal);
        private readonly List<PlanEvent> _events = [];
        private readonly Dictionary<string, ResourceList> _peaks;
        private readonly Dictionary<string, QueueQuota> _activeQueues;
        private readonly List<QueuePlan> _queuePlans = [];
        private readonly Dictionary<string, QueuePlan> _lastQueuePlan = new(StringComparer.Ordinal);

        // Queues or priorities in the plan: the cycle is given what holds capacity (_runningNow).
        private readonly bool _queueing;
        private readonly HashSet<int> _runningNow = [];
        private readonly List<int> _gangMembers;

        // Jobs' pods: when each workload was created (a Job's later pods at the success that creates them), the pods
        // not created yet by Job and the success that creates them, and each Job's successes so far.
        private readonly TimeSpan[] _created;
        private readonly bool[] _notCreated;
        private readonly Dictionary<(string Job, int Successes), List<int>> _createdBySuccess = [];
        private readonly Dictionary<string, int> _jobSuccesses = new(StringComparer.Ordinal);
        private TimeSpan _now;
        private TimeSpan _makespan;

        public Simulation(NodeSet nodes, List<PlanFunction> functions, PlannerOptions options)
        {
            _nodes = nodes;
            _functions = functions;
            _options = options;
            _graph = new FunctionGraph(functions.Select(f => new FunctionDependencies(f.Id, f.Args) { CollocateWith = f.Placement.CollocateWith }));
            _tracker = options.TrackerFactory?.Invoke() ?? new IndexedResourceTracker();
            foreach (var node in nodes)
            {
                _tracker.SetNode(node.Name, node.Capacity);
            }

            var n = functions.Count;
            _states = new State[n];
            _unfinishedArgs = new int[n];
            _swept = new bool[n];
            _created = new TimeSpan[n];
            _notCreated = new bool[n];
            for (var i = 0; i < n; i++)
            {
                _states[i] = new State();
                _unfinishedArgs[i] = _graph.KnownArgsOf(i).Length;
                _created[i] = functions[i].Created;
                if (functions[i].Job is { CreatedAfterSuccesses: > 0 } jobPod)
                {
                    _notCreated[i] = true;
                    var key = (jobPod.Job, jobPod.CreatedAfterSuccesses);
                    if (!_createdBySuccess.TryGetValue(key, out var created))
                    {
                        _createdBySuccess[key] = created = [];
                    }

                    created.Add(i);
                }
            }

            _activeQueues = options.Queues.Values.Where(q => q.Problems().Count == 0).ToDictionary(q => q.Name, StringComparer.Ordinal);
            _queueing = options.Queues.Count > 0 || functions.Any(f => f.Traits.Priority is not null || f.Traits.PriorityClassName is not null || f.Traits.Gang is not null);
            _gangMembers = [.. Enumerable.Range(0, n).Where(i => functions[i].Traits.Gang is not null)];
            _peaks = nodes.ToDictionary(node => node.Name, node => ResourceList.FromMilli(node.Capacity.Select(kv => KeyValuePair.Create(kv.Key, 0L))), StringComparer.Ordinal);
        }

        public PlanResult Run(CancellationToken cancellationToken)
        {
            for (var i = 0; i < _states.Length; i++)
            {
                if (_graph.IsInCycle(_functions[i].Id))
                {
                    Fail(i, Reasons.DependencyCycle, Messages.DependencyCycle(_graph.CycleOf(_functions[i].Id)!));
                }
            }

            PropagateFailures();

            for (var i = 0; i < _states.Length; i++)
            {
                MakeReadyIfOpen(i, _functions[i].Created);
            }

            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                EndAttempts();
                PropagateFailures();
                EndBackoffs();
                ScheduleReady(cancellationToken);
                PropagateFailures();
                var next = TimeSpan.MaxValue;
                if (_running.TryPeek(out _, out var end))
                {
                    next = end.End;
                }

                if (_backingOff.TryPeek(out _, out var wake) && wake.At < next)
                {
                    next = wake.At;
                }

                if (next == TimeSpan.MaxValue)
                {
                    break;
                }

                _now = next;
            }

            return Result();
        }

        // 1. Every attempt ending now ends and releases its capacity.
        private void EndAttempts()
        {
            while (_running.TryPeek(out var i, out var key) && key.End == _now)
            {
                _running.Dequeue();
                var f = _functions[i];
                var s = _states[i];
                if (s.Status != Status.Running || s.End != key.End)
                {
                    // Preempted since: this end is not its own any more.
                    continue;
                }

                _tracker.Release(f.Id);
                _runningNow.Remove(i);
                if (!f.Fails)
                {
                    _events.Add(new PlanEvent(_now, f.Id, PlanEventKind.Succeeded, s.Node!, s.Attempts));
                    s.Status = Status.Succeeded;
                    s.Reason = Reasons.Succeeded;
                    s.Message = $"Succeeded on {s.Node} (attempt {s.Attempts})";
                    foreach (var d in _graph.DependentsOf(i))
                    {
                        if (--_unfinishedArgs[d] == 0)
                        {
                            MakeReadyIfOpen(d, _now > _functions[d].Created ? _now : _functions[d].Created);
                        }
                    }

                    if (f.Job is { } job)
                    {
                        CreateJobPods(job.Job);
                    }

                    continue;
                }

                _events.Add(new PlanEvent(_now, f.Id, PlanEventKind.Failed, s.Node!, s.Attempts));
                var failure = Messages.AttemptFailed(PodName(f, s.Attempts), null);
                if (!f.Retry.Retries(s.Attempts))
                {
                    Fail(i, Reasons.RetriesExhausted, Messages.RetriesExhausted(failure, s.Attempts, f.Retry.MaxRetries));
                    continue;
                }

                var retryAfter = _now + f.Retry.Backoff(s.Attempts);
                s.Status = Status.BackingOff;
                s.Reason = Reasons.Retrying;
                s.Message = Messages.Retrying(failure, s.Attempts, f.Retry.MaxRetries, Start + retryAfter);
                _backingOff.Enqueue(i, (retryAfter, i));
            }
        }

        // 2. Every back-off ending now makes its function ready again.
        private void EndBackoffs()
        {
            while (_backingOff.TryPeek(out var i, out var key) && key.At == _now)
            {
                _backingOff.Dequeue();
                AddReady(i, _now);
            }
        }

        // 3. Scheduling cycles over the ready functions; the ones placed start now. Victims of a preemption leave at
        // once (their capacity is free at this instant) and the cycle runs again, so preemptors start now too.
        private void ScheduleReady(CancellationToken cancellationToken)
        {
            for (var round = 0; round <= _functions.Count && _ready.Count > 0; round++)
            {
                FailBrokenGangs();
                if (_ready.Count == 0)
                {
                    return;
                }

                var result = Cycle(cancellationToken);
                RecordQueues(result);
                if (result.Preemptions.Count == 0)
                {
                    return;
                }

                foreach (var victim in result.Preemptions.SelectMany(p => p.Victims))
                {
                    Evict(_graph.IndexOf(victim.Id));
                }
            }
        }

        private CycleResult Cycle(CancellationToken cancellationToken)
        {
            var pending = new List<Workload>(_ready.Count);
            foreach (var (_, i) in _ready)
            {
                pending.Add(_states[i].Workload!);
            }

            var result = SchedulingCycle.Run(
                new CycleInput(_nodes, _tracker, pending)
                {
                    KnownPlacements = _placements,
                    Allocators = _options.Allocators,
                    Queues = _activeQueues,
                    Admitted = Admitted(),
                    Gangs = Gangs(),
                },
                cancellationToken);
            foreach (var placement in result.Placed)
            {
                var i = _graph.IndexOf(placement.Workload.Id);
                var s = _states[i];
                _ready.Remove((s.Workload!.Order, i));
                s.Status = Status.Running;
                _runningNow.Add(i);
                s.Node = placement.Node;
                s.Attempts++;
                s.Start = _now;
                s.End = _now + _functions[i].Duration;
                s.LastUnplaced = null;
                _placements[placement.Workload.Id] = placement.Node;
                _running.Enqueue(i, (s.End.Value, i));
                _makespan = s.End.Value > _makespan ? s.End.Value : _makespan;
                _events.Add(new PlanEvent(_now, placement.Workload.Id, PlanEventKind.Started, placement.Node, s.Attempts));
                if (_tracker.GetNode(placement.Node) is { } usage)
                {
                    _peaks[placement.Node] = _peaks[placement.Node].Max(usage.Allocated);
                }
            }

            foreach (var unplaced in result.Unplaced)
            {
                var i = _graph.IndexOf(unplaced.Workload.Id);
                var s = _states[i];
                s.LastUnplaced = unplaced;
                if (unplaced.Reason == Reasons.Unschedulable)
                {
                    // Nodes do not change in a plan: it never fits.
                    _ready.Remove((s.Workload!.Order, i));
                    s.Status = Status.Unschedulable;
                }
            }

            return result;
        }

        // One more of the Job's pods succeeded: the pods its controller creates at this success exist, and are ready, now.
        private void CreateJobPods(string job)
        {
            var successes = _jobSuccesses[job] = _jobSuccesses.GetValueOrDefault(job) + 1;
            foreach (var i in _createdBySuccess.GetValueOrDefault((job, successes)) ?? [])
            {
                _notCreated[i] = false;
                _created[i] = _now;
                MakeReadyIfOpen(i, _now);
            }
        }

        private void MakeReadyIfOpen(int i, TimeSpan readySince)
        {
            if (_states[i].Status == Status.Idle && !_notCreated[i] && _unfinishedArgs[i] == 0 && !_graph.HasUnknownReferences(i))
            {
                var f = _functions[i];
                var inputs = FunctionInputs.Assemble(new string?[f.Args.Count], f.ExtraArgs);
                if (inputs.Check(ObjectKeys.NameOf(f.Id), f.Containers) is { } tooLarge)
                {
                    Fail(i, Reasons.InputTooLarge, tooLarge);
                    return;
                }

                AddReady(i, readySince);
            }
        }

        private void AddReady(int i, TimeSpan readySince)
        {
            var f = _functions[i];
            var s = _states[i];
            s.Status = Status.Ready;
            s.ReadySince = readySince;
            var (workload, block) = QueueAdmission.Admit(
                new Workload(f.Placement, f.Strategy, new QueueOrderKey(Start + readySince, Start + _created[i], f.Id)), f.Traits,
                ObjectKeys.NamespaceOf(f.Id), _options.NamespaceLabels.GetValueOrDefault(ObjectKeys.NamespaceOf(f.Id)) ?? QueueAdmission.LabelsOfNamespace(ObjectKeys.NamespaceOf(f.Id)),
                _options.Queues, _options.PriorityClasses);
            s.Workload = workload;
            if (block is not null)
            {
                s.Status = Status.Blocked;
                s.Reason = block.Reason;
                s.Message = block.Message;
                return;
            }

            _ready.Add((s.Workload.Order, i));
        }

        private void Fail(int i, string reason, string message)
        {
            var s = _states[i];
            s.Status = Status.Failed;
            s.Reason = reason;
            s.Message = message;
            _failedNow.Add(i);
        }

        // The dependents of what failed at this instant fail too, each naming its first failed arg (as the operator's
        // resolution of one snapshot names it).
        private void PropagateFailures()
        {
            var reached = new List<int>();
            foreach (var i in _failedNow)
            {
                DependencyResolver.PropagateFailure(_graph, i, _swept, dependent =>
                {
                    var ds = _states[dependent];
                    if (ds.Status != Status.Idle)
                    {
                        return false;
                    }

                    ds.Status = Status.Failed;
                    reached.Add(dependent);
                    return true;
                });
            }

            foreach (var d in reached)
            {
                var via = DependencyResolver.FirstFailedArg(_graph, d, j => _states[j].Status == Status.Failed);
                (_states[d].Reason, _states[d].Message) = (Reasons.DependencyFailed, Messages.DependencyFailed(_functions[via].Id));
            }

            _failedNow.Clear();
        }

        private PlanResult Result()
        {
            var n = _functions.Count;
            var outcomes = new ArgOutcome[n];
            for (var i = 0; i < n; i++)
            {
                outcomes[i] = _states[i].Status switch
                {
                    Status.Succeeded => ArgOutcome.Succeeded,
                    Status.Failed => ArgOutcome.Failed,
                    _ => ArgOutcome.Unfinished,
                };
            }

            var dependencies = DependencyResolver.Resolve(_graph, outcomes);
            var plans = new List<FunctionPlan>(n);
            for (var i = 0; i < n; i++)
            {
                var s = _states[i];
                var id = _functions[i].Id;
                plans.Add(s.Status switch
                {
                    Status.Succeeded => Plan(id, s, FunctionPhase.Succeeded, s.Reason!, s.Message!),
                    Status.Failed => Plan(id, s, FunctionPhase.Failed, s.Reason!, s.Message!),
                    Status.Idle when _notCreated[i] => Plan(id, s, FunctionPhase.Waiting, Reasons.WaitingForJob,
                        Messages.NotCreatedByJob(_functions[i].Job!.Job, _functions[i].Job!.CreatedAfterSuccesses)),
                    Status.Idle => Plan(id, s, FunctionPhase.Waiting, dependencies[i].Reason ?? Reasons.WaitingForDependencies, dependencies[i].Message ?? ""),

                    Status.Blocked => Plan(id, s, FunctionPhase.Pending, s.Reason!, s.Message!),

                    // Ready (or back again after a failure) but never placed: the cycle's last word on it.
                    _ => Plan(id, s, FunctionPhase.Pending, s.LastUnplaced?.Reason ?? Reasons.FailedScheduling, s.LastUnplaced?.Message ?? "never placed"),
                });
            }

            var nodePlans = _nodes.Select(node => new NodePlan(node.Name, node.Capacity, _peaks[node.Name])).ToList();
            return new PlanResult(plans, nodePlans, _events, _makespan) { Queues = _queuePlans };
        }

        private static FunctionPlan Plan(string id, State s, FunctionPhase phase, string reason, string message) =>
            new(id, phase, s.Node, s.Attempts, s.Start, s.End, reason, message);

        private static string PodName(PlanFunction f, int attempt) => $"{ObjectKeys.NameOf(f.Id)}-{attempt}";
    }
}
