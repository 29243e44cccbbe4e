using Handoff.Api.V1Alpha1;
using k8s.Models;

namespace Handoff.Testing.Builders;

/// <summary>
/// Builds a <see cref="HandoffFunction"/> with one busybox container; see <see cref="TestObjects"/>. Its uid is
/// <c>uid-namespace-name</c> unless set, so the pods built for it (<see cref="TestObjects.PodOf"/>) are owned by it.
/// </summary>
public sealed class HandoffFunctionBuilder(string name, string @namespace)
{
    private readonly Dictionary<string, string> _cost = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodeSelector = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _annotations = new(StringComparer.Ordinal);
    private readonly List<string> _args = [];
    private readonly List<string> _extraArgs = [];
    private readonly List<V1Toleration> _tolerations = [];
    private string _uid = $"uid-{@namespace}-{name}";
    private string? _strategy;
    private string? _node;
    private string? _collocateWith;
    private int? _maxRetries;
    private string _image = "busybox:1.36";
    private IList<string>? _command;
    private DateTimeOffset _created = TestObjects.Epoch;
    private DateTimeOffset? _deleting;
    private long _generation = 1;
    private string? _resourceVersion;
    private HandoffFunctionStatus? _status;

    public HandoffFunctionBuilder Uid(string uid)
    {
        _uid = uid;
        return this;
    }

    /// <summary>Adds (or replaces) one cost entry, e.g. <c>Cost("cpu", "2")</c>.</summary>
    public HandoffFunctionBuilder Cost(string resource, string quantity)
    {
        _cost[resource] = quantity;
        return this;
    }

    /// <summary>Adds every entry of <paramref name="cost"/> (none when null).</summary>
    public HandoffFunctionBuilder Cost(IDictionary<string, string>? cost)
    {
        foreach (var (resource, quantity) in cost ?? new Dictionary<string, string>())
        {
            _cost[resource] = quantity;
        }

        return this;
    }

    /// <summary>Appends names to <c>spec.args</c>.</summary>
    public HandoffFunctionBuilder Args(params string[] args)
    {
        _args.AddRange(args);
        return this;
    }

    public HandoffFunctionBuilder ExtraArgs(params string[] extraArgs)
    {
        _extraArgs.AddRange(extraArgs);
        return this;
    }

    public HandoffFunctionBuilder Strategy(string strategy)
    {
        _strategy = strategy;
        return this;
    }

    public HandoffFunctionBuilder NodeSelector(string key, string value)
    {
        _nodeSelector[key] = value;
        return this;
    }

    /// <summary><c>spec.node</c>: pinned to this HandoffNode.</summary>
    public HandoffFunctionBuilder PinnedTo(string handoffNode)
    {
        _node = handoffNode;
        return this;
    }

    public HandoffFunctionBuilder CollocateWith(string function)
    {
        _collocateWith = function;
        return this;
    }

    public HandoffFunctionBuilder MaxRetries(int maxRetries)
    {
        _maxRetries = maxRetries;
        return this;
    }

    /// <summary>The container's image and command (default busybox:1.36 and its default command).</summary>
    public HandoffFunctionBuilder Container(string image, params string[] command)
    {
        _image = image;
        _command = command.Length == 0 ? null : command;
        return this;
    }

    /// <summary>A toleration in the pod template (<c>operator: Equal</c>).</summary>
    public HandoffFunctionBuilder Toleration(string key, string value, string effect)
    {
        _tolerations.Add(new V1Toleration { Key = key, OperatorProperty = "Equal", Value = value, Effect = effect });
        return this;
    }

    public HandoffFunctionBuilder Annotation(string key, string value)
    {
        _annotations[key] = value;
        return this;
    }

    public HandoffFunctionBuilder CreatedAt(DateTimeOffset created)
    {
        _created = created;
        return this;
    }

    /// <summary><c>metadata.deletionTimestamp</c>: deletion was requested (finalizers or dependents hold it).</summary>
    public HandoffFunctionBuilder Deleting(DateTimeOffset? at = null)
    {
        _deleting = at ?? TestObjects.Epoch;
        return this;
    }

    public HandoffFunctionBuilder Generation(long generation)
    {
        _generation = generation;
        return this;
    }

    public HandoffFunctionBuilder ResourceVersion(string resourceVersion)
    {
        _resourceVersion = resourceVersion;
        return this;
    }

    /// <summary>The status as an earlier pass (or a hand) wrote it.</summary>
    public HandoffFunctionBuilder Status(HandoffFunctionStatus status)
    {
        _status = status;
        return this;
    }

    /// <summary>The function as read from a cache: uid, namespace, creationTimestamp, generation and status set.</summary>
    public HandoffFunction Build()
    {
        var function = BuildForCreate();
        function.Metadata.NamespaceProperty = @namespace;
        function.Metadata.Uid = _uid;
        function.Metadata.CreationTimestamp = _created.UtcDateTime;
        function.Metadata.DeletionTimestamp = _deleting?.UtcDateTime;
        function.Metadata.Generation = _generation;
        function.Metadata.ResourceVersion = _resourceVersion;
        function.Status = _status ?? new HandoffFunctionStatus();
        return function;
    }

    /// <summary>The function as a client sends it to be created: name and spec only (the namespace is the caller's).</summary>
    public HandoffFunction BuildForCreate() => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Annotations = _annotations.Count == 0 ? null : new Dictionary<string, string>(_annotations, StringComparer.Ordinal),
        },
        Spec = new HandoffFunctionSpec
        {
            Cost = _cost.Count == 0 ? null : new Dictionary<string, string>(_cost, StringComparer.Ordinal),
            Args = _args.Count == 0 ? null : [.. _args],
            ExtraArgs = _extraArgs.Count == 0 ? null : [.. _extraArgs],
            Strategy = _strategy,
            NodeSelector = _nodeSelector.Count == 0 ? null : new Dictionary<string, string>(_nodeSelector, StringComparer.Ordinal),
            Node = _node,
            CollocateWith = _collocateWith,
            MaxRetries = _maxRetries,
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec
                {
                    Containers = [new V1Container { Name = "main", Image = _image, Command = _command is null ? null : [.. _command] }],
                    Tolerations = _tolerations.Count == 0 ? null : [.. _tolerations],
                },
            },
        },
    };
}
