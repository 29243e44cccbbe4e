namespace Handoff.Sandbox.Auth;

/// <summary>Who made a request, as the API server's authenticators describe a user (k8s.io/apiserver user.Info).</summary>
internal sealed record UserInfo(string Name, string Uid, IReadOnlyList<string> Groups, IReadOnlyDictionary<string, IReadOnlyList<string>> Extra)
{
    /// <summary>The group every authenticated user is in (added by the API server, not by the authenticator).</summary>
    public const string AuthenticatedGroup = "system:authenticated";

    /// <summary>The group of unauthenticated requests (only with anonymous authentication, which the sandbox does not enable).</summary>
    public const string UnauthenticatedGroup = "system:unauthenticated";

    /// <summary>Members are allowed everything without consulting RBAC (kube-apiserver's privileged group).</summary>
    public const string MastersGroup = "system:masters";

    public const string ServiceAccountsGroup = "system:serviceaccounts";

    public const string ServiceAccountPrefix = "system:serviceaccount:";

    /// <summary>The sandbox's own administrator (its kubeconfig), like a cluster's <c>system:admin</c> client certificate.</summary>
    public static UserInfo Admin { get; } = new("system:admin", "", [MastersGroup, AuthenticatedGroup], new Dictionary<string, IReadOnlyList<string>>());

    /// <summary>The user name of a ServiceAccount: <c>system:serviceaccount:NAMESPACE:NAME</c>.</summary>
    public static string ServiceAccountName(string ns, string name) => ServiceAccountPrefix + ns + ":" + name;

    /// <summary>A ServiceAccount's user: its name, uid and the groups the API server gives it.</summary>
    public static UserInfo ServiceAccount(string ns, string name, string uid, IReadOnlyDictionary<string, IReadOnlyList<string>> extra) =>
        new(ServiceAccountName(ns, name), uid, [ServiceAccountsGroup, ServiceAccountsGroup + ":" + ns, AuthenticatedGroup], extra);

    public bool IsInGroup(string group) => Groups.Contains(group, StringComparer.Ordinal);
}
