namespace Handoff.Sandbox;

/// <summary>How a <see cref="SandboxServer"/> starts.</summary>
public sealed record SandboxOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 (default) picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>The simulated nodes; null = <see cref="SandboxNode.Defaults"/> (node-1, node-2, gpu-1 with 2 GPUs).</summary>
    public IReadOnlyList<SandboxNode>? Nodes { get; init; }

    /// <summary>When false, pods are never moved through their phases: tests drive pod status themselves.</summary>
    public bool SimulateKubelet { get; init; } = true;

    /// <summary>The clock for timestamps and simulated pod durations (a fake clock in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How long a pod runs when it has no <c>handoff.dev/sandbox-duration</c> annotation.</summary>
    public TimeSpan DefaultPodDuration { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a deleted pod takes to stop when it has no <c>handoff.dev/sandbox-termination</c> annotation (never
    /// more than its grace period); 0 = as soon as the kubelet sees the deletion.
    /// </summary>
    public TimeSpan DefaultTerminationDuration { get; init; } = TimeSpan.Zero;

    /// <summary>The Job controller's back-off after a failed pod, doubled per failure up to 6 minutes (10 s, as kube-controller-manager).</summary>
    public TimeSpan JobBackoffBase { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Watch events kept per resource; a watch from an older resourceVersion gets 410 Gone.</summary>
    public int WatchHistoryLimit { get; init; } = 10_000;

    /// <summary>
    /// Authenticate every request (a bearer token: the administrator's of <see cref="SandboxServer.KubeconfigYaml"/>, or a
    /// ServiceAccount token from <see cref="SandboxServer.CreateTokenAsync"/> or the TokenRequest API) and authorize it
    /// with RBAC (Roles, ClusterRoles and their bindings), answering 401 and 403 as the API server does; also enforces
    /// the OwnerReferencesPermissionEnforcement admission rule. Off by default: every request is allowed.
    /// </summary>
    public bool Rbac { get; init; }

    /// <summary>How often a watch with <c>allowWatchBookmarks=true</c> receives a BOOKMARK.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Port on 127.0.0.1 of the admin endpoint (fault injection, request counts, write journal; 0 = a free one); null
    /// (default) = none. Never served on the API port: a client of the API cannot inject faults.
    /// </summary>
    public int? AdminPort { get; init; }

    /// <summary>
    /// How often each simulated node's kubelet posts its Node status although nothing changed (every condition's
    /// <c>lastHeartbeatTime</c> moves, so the Node gets a new resourceVersion), as the kubelet's
    /// <c>nodeStatusReportFrequency</c> (5 min by default on a real cluster); the nodes' turns are spread over the
    /// period, as on a cluster that has run a while. Null (default): never — resourceVersions move only on changes.
    /// </summary>
    public TimeSpan? NodeStatusReportPeriod { get; init; }

    /// <summary>Keep every accepted write in <see cref="SandboxServer.Journal"/> (for auditors; it holds every version of every object).</summary>
    public bool RecordWrites { get; init; }
}
