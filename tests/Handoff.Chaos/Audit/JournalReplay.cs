using System.Text.Json;
using Handoff.Core.Resources;
using Handoff.Sandbox;

namespace Handoff.Chaos.Audit;

/// <summary>
/// The auditor's replay of a journal (see <see cref="ChaosAuditor"/>): what each pod, function, HandoffNode and the
/// lease are after every write, the checks made at each write, and the end state's.
/// </summary>
internal sealed class JournalReplay(AuditExpectations expect)
{
    private readonly List<Violation> _violations = [];
    private readonly Dictionary<string, NodeLedger> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodState> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FunctionState> _functions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _currentFunction = new(StringComparer.Ordinal);
    private readonly HashSet<string> _doubledOwners = new(StringComparer.Ordinal);
    private string? _holder, _lastHolder;
    private int _writes, _operatorWrites, _podCount, _bindings, _leaderChanges, _deleted;

    public void Apply(SandboxWrite write)
    {
        _writes++;
        var identity = ChaosAuditor.OperatorIdentity(write.UserAgent);
        using var doc = write.Parse();
        var obj = doc.RootElement;
        if (write.Resource == "leases.coordination.k8s.io" && write.Namespace == expect.LeaseNamespace && write.Name == expect.LeaseName)
        {
            _holder = write.Type == "DELETED" ? null : JournalObjects.String(obj, "spec", "holderIdentity");
            if (_holder is not null && _lastHolder is not null && _holder != _lastHolder)
            {
                _leaderChanges++;
            }

            _lastHolder = _holder ?? _lastHolder;
            return;
        }

        if (identity is not null)
        {
            _operatorWrites++;
            if (identity != _holder)
            {
                Add(ViolationKind.FencingBreach, write,
                    $"{identity} wrote ({write.Request} {write.Resource} {write.Namespace}/{write.Name}) while the lease was held by {_holder ?? "nobody"}");
            }
        }

        switch (write.Resource)
        {
            case "handoffnodes.handoff.dev":
                Node(write, obj);
                break;
            case "handofffunctions.handoff.dev" when write.Namespace == expect.Namespace:
                Function(write, obj);
                break;
            case "pods" when write.Namespace == expect.Namespace && JournalObjects.String(obj, "metadata", "labels", JournalObjects.FunctionLabel) is { } function:
                Pod(write, obj, function);
                break;
        }
    }

    public AuditReport Finish(IReadOnlyList<SandboxWrite> writes)
    {
        foreach (var (name, outcome) in expect.Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            if (!_currentFunction.TryGetValue(name, out var uid))
            {
                _violations.Add(new Violation(ViolationKind.WrongOutcome, 0, $"function {name} does not exist at the end (expected {outcome.Phase})"));
                continue;
            }

            var f = _functions[uid];
            var actual = (f.Phase, f.Reason, f.Attempts, Result: outcome.Succeeds ? f.Result : null);
            if (actual != (outcome.Phase, outcome.Reason, (long)outcome.Attempts, outcome.Result))
            {
                _violations.Add(new Violation(ViolationKind.WrongOutcome, 0,
                    $"function {name} ended {f.Phase ?? "without a phase"} ({f.Reason}, {f.Attempts} attempts, result {Quote(f.Result)}; {f.Message}), " +
                    $"expected {outcome.Phase} ({outcome.Reason}, {outcome.Attempts} attempts, result {Quote(outcome.Result)})"));
            }
        }

        foreach (var node in _nodes.Values.Where(n => !n.Deleted).OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            var held = node.Allocated.Where(a => ResourceList.ParseQuantity(a.Key, a.Value) != 0).ToList();
            if (held.Count > 0 || node.Functions != 0)
            {
                _violations.Add(new Violation(ViolationKind.NodeNotReleased, 0,
                    $"HandoffNode {node.Name} ends with allocated {{{string.Join(", ", held.Select(a => a.Key + ": " + a.Value))}}} and {node.Functions} functions"));
            }
        }

        foreach (var pause in expect.Pauses.Where(p => p.WriteRequestsAfterContinue > 0))
        {
            _violations.Add(new Violation(ViolationKind.FencingBreach, pause.ContinuedAt,
                $"{pause.Identity}, continued after a pause past its lease (SIGSTOP at rv {pause.StoppedAt}, SIGCONT at rv {pause.ContinuedAt}), sent {pause.WriteRequestsAfterContinue} write request(s) " +
                $"({pause.WriteRequestKinds}) while another replica held the lease; the journal shows which of its writes the API server accepted"));
        }

        return new AuditReport
        {
            Violations = _violations,
            Writes = _writes,
            OperatorWrites = _operatorWrites,
            Pods = _podCount,
            Bindings = _bindings,
            LeaderChanges = _leaderChanges,
            Functions = expect.Outcomes.Count,
            Succeeded = expect.Outcomes.Keys.Count(n => _currentFunction.TryGetValue(n, out var uid) && _functions[uid].Phase == "Succeeded"),
            Deleted = _deleted,
            Pauses = [.. expect.Pauses.Select(p => Fencing(p, writes))],
        };
    }

    private void Node(SandboxWrite write, JsonElement obj)
    {
        if (!_nodes.TryGetValue(write.Name, out var node))
        {
            _nodes[write.Name] = node = new NodeLedger(write.Name);
        }

        if (write.Type == "DELETED")
        {
            node.Deleted = true;
            return;
        }

        node.Deleted = false;
        node.KubernetesNode = JournalObjects.String(obj, "spec", "nodeName") is { Length: > 0 } k ? k : write.Name;
        node.Spec(
            JournalObjects.Int64(obj, "metadata", "generation"),
            ResourceList.Parse(JournalObjects.Map(obj, "spec", "capacity")),
            JournalObjects.String(obj, "spec", "unschedulable") == "true");
        node.Acknowledged = Math.Max(node.Acknowledged, JournalObjects.Int64(obj, "status", "observedGeneration"));
        node.Allocated = JournalObjects.Map(obj, "status", "allocated");
        node.Functions = JournalObjects.Int64(obj, "status", "functions");
    }

    private void Function(SandboxWrite write, JsonElement obj)
    {
        if (!_functions.TryGetValue(write.Uid, out var f))
        {
            _functions[write.Uid] = f = new FunctionState { Name = write.Name };
        }

        if (write.Type == "DELETED")
        {
            _deleted++;
            if (_currentFunction.GetValueOrDefault(write.Name) == write.Uid)
            {
                _currentFunction.Remove(write.Name);
            }

            return;
        }

        if (write.Type == "ADDED")
        {
            _currentFunction[write.Name] = write.Uid;
        }

        f.Phase = JournalObjects.String(obj, "status", "phase");
        f.Result = JournalObjects.String(obj, "status", "result");
        f.Reason = JournalObjects.CompletedReason(obj);
        f.Message = JournalObjects.String(obj, "status", "message");
        f.Attempts = JournalObjects.Int64(obj, "status", "attempts");
        if (f.Terminal is { } terminal && !f.Regressed && (f.Phase != terminal.Phase || f.Result != terminal.Result))
        {
            f.Regressed = true;
            Add(ViolationKind.TerminalRegression, write,
                $"function {f.Name} (uid {write.Uid}) was {terminal.Phase} (result {Quote(terminal.Result)}) and became {f.Phase ?? "phase-less"} (result {Quote(f.Result)}) by {Who(write)}");
        }
        else if (f.Terminal is null && f.Phase is "Succeeded" or "Failed")
        {
            f.Terminal = (f.Phase, f.Result);
        }
    }

    private void Pod(SandboxWrite write, JsonElement obj, string function)
    {
        if (!_pods.TryGetValue(write.Uid, out var pod))
        {
            _pods[write.Uid] = pod = new PodState { Name = write.Name, Function = function, Owner = JournalObjects.ControllerUid(obj) };
            _podCount++;
            CheckArgs(write, obj, function);
        }

        if (write.Type == "DELETED")
        {
            pod.Gone = true;
            return;
        }

        var previousNode = pod.NodeName;
        var nodeName = JournalObjects.String(obj, "spec", "nodeName") ?? "";
        pod.Phase = JournalObjects.String(obj, "status", "phase");
        pod.Cost = JournalObjects.Cost(obj);
        pod.NodeName = nodeName;
        if (previousNode.Length > 0 && nodeName != previousNode)
        {
            Add(ViolationKind.BoundTwice, write, $"pod {pod.Name} was bound to {previousNode} and then to {Quote(nodeName)} by {Who(write)}");
        }
        else if (previousNode.Length == 0 && nodeName.Length > 0)
        {
            Bound(write, pod);
        }

        if (pod.Owner is { } owner && pod.Live && !_doubledOwners.Contains(owner))
        {
            var live = _pods.Values.Where(p => p.Owner == owner && p.Live).Select(p => p.Name).ToList();
            if (live.Count > 1)
            {
                _doubledOwners.Add(owner);
                Add(ViolationKind.TwoLivePods, write, $"function {function} (uid {owner}) has {live.Count} live pods: {string.Join(", ", live)}");
            }
        }
    }

    private void Bound(SandboxWrite write, PodState pod)
    {
        _bindings++;
        var node = _nodes.Values.FirstOrDefault(n => !n.Deleted && n.KubernetesNode == pod.NodeName);
        if (node is null)
        {
            Add(ViolationKind.UnaccountedPod, write, $"pod {pod.Name} was bound to {pod.NodeName}, which no HandoffNode names, by {Who(write)}");
            return;
        }

        if (pod.Cost is null)
        {
            Add(ViolationKind.UnaccountedPod, write, $"pod {pod.Name} was bound to {pod.NodeName} without the {JournalObjects.CostAnnotation} annotation");
            return;
        }

        var live = _pods.Values.Where(p => p.Live && p.NodeName == pod.NodeName).ToList();
        var held = live.Aggregate(ResourceList.Empty, (sum, p) => sum.Add(p.Cost ?? ResourceList.Empty));
        var capacity = node.Capacity();
        var over = held.Where(r => r.Value > capacity[r.Key]).Select(r => r.Key).ToList();
        if (over.Count > 0)
        {
            Add(ViolationKind.OverCommit, write,
                $"binding {pod.Name} to {pod.NodeName} by {Who(write)} makes its live pods hold {held} > capacity {capacity} ({string.Join(", ", over)}) of {node.Describe()}; " +
                $"live pods: {string.Join(", ", live.Select(p => $"{p.Name} {p.Cost}{(p.Phase is null ? "" : " " + p.Phase)}"))}");
        }

        if (node.CordonAcknowledged())
        {
            Add(ViolationKind.CordonIgnored, write, $"binding {pod.Name} by {Who(write)} to cordoned {node.Describe()}");
        }
    }

    private void CheckArgs(SandboxWrite write, JsonElement pod, string function)
    {
        if (!expect.Functions.TryGetValue(function, out var spec))
        {
            return;
        }

        var expected = new List<string>();
        foreach (var arg in spec.Args)
        {
            if (!expect.Outcomes[arg].Succeeds)
            {
                Add(ViolationKind.WrongArgs, write, $"pod {write.Name} was created although its arg {arg} never succeeds");
                return;
            }

            expected.Add(expect.Outcomes[arg].Result!);
        }

        expected.AddRange(spec.ExtraArgs);
        foreach (var (container, value) in JournalObjects.Env(pod, "HANDOFF_ARGS"))
        {
            string[]? actual;
            try
            {
                actual = value is null ? null : JsonSerializer.Deserialize<string[]>(value);
            }
            catch (JsonException)
            {
                actual = null;
            }

            if (actual is null || !actual.SequenceEqual(expected, StringComparer.Ordinal))
            {
                Add(ViolationKind.WrongArgs, write,
                    $"pod {write.Name} container {container} has HANDOFF_ARGS {Quote(value)}, expected {JsonSerializer.Serialize(expected)}");
            }
        }
    }

    /// <summary>A pause, seen from the journal: the first write of another replica while it lasted, and the paused replica's writes after that one until it holds the lease again.</summary>
    private static PauseFencing Fencing(PauseEpisode pause, IReadOnlyList<SandboxWrite> writes)
    {
        var after = writes.SkipWhile(w => w.ResourceVersion <= pause.StoppedAt).ToList();
        var takeover = after.TakeWhile(w => w.ResourceVersion <= pause.ContinuedAt).FirstOrDefault(w => ChaosAuditor.OperatorIdentity(w.UserAgent) is { } id && id != pause.Identity);
        if (takeover is null)
        {
            return new PauseFencing(pause, null, null, 0);
        }

        var count = 0;
        foreach (var w in after.Where(w => w.ResourceVersion > takeover.ResourceVersion && ChaosAuditor.OperatorIdentity(w.UserAgent) == pause.Identity))
        {
            if (w.Resource == "leases.coordination.k8s.io" && HolderOf(w) == pause.Identity)
            {
                break; // it holds the lease again (the other replica is gone): its writes are legitimate from here on
            }

            count++;
        }

        return new PauseFencing(pause, takeover.ResourceVersion, ChaosAuditor.OperatorIdentity(takeover.UserAgent), count);
    }

    private static string? HolderOf(SandboxWrite lease)
    {
        using var doc = lease.Parse();
        return JournalObjects.String(doc.RootElement, "spec", "holderIdentity");
    }

    private void Add(ViolationKind kind, SandboxWrite write, string message) => _violations.Add(new Violation(kind, write.ResourceVersion, message));

    private static string Who(SandboxWrite write) => write.UserAgent.Length == 0 ? "the sandbox" : ChaosAuditor.OperatorIdentity(write.UserAgent) ?? write.UserAgent;

    private static string Quote(string? text) => text is null ? "none" : JsonSerializer.Serialize(text);

    private sealed class PodState
    {
        public required string Name { get; init; }

        public required string Function { get; init; }

        public string? Owner { get; init; }

        public string NodeName { get; set; } = "";

        public string? Phase { get; set; }

        public ResourceList? Cost { get; set; }

        public bool Gone { get; set; }

        public bool Live => !Gone && Phase is not ("Succeeded" or "Failed");
    }

    private sealed class FunctionState
    {
        public required string Name { get; init; }

        public string? Phase { get; set; }

        public string? Result { get; set; }

        public string? Reason { get; set; }

        public string? Message { get; set; }

        public long Attempts { get; set; }

        public (string Phase, string? Result)? Terminal { get; set; }

        public bool Regressed { get; set; }
    }
}
