using System.Security.Cryptography;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Auth;

/// <summary>
/// Authentication and authorization of the sandbox's API. Tokens are always issued and checked (TokenRequest,
/// TokenReview); with <see cref="Enforced"/> (<see cref="SandboxOptions.Rbac"/>) every request must carry a valid
/// bearer token and is authorized by RBAC, and the OwnerReferencesPermissionEnforcement admission rule applies.
/// Without it the sandbox authorizes everything (kube-apiserver's AlwaysAllow mode) and a request without a valid
/// token acts as the administrator.
/// </summary>
internal sealed class SandboxSecurity : IDisposable
{
    public SandboxSecurity(ApiEngine engine, bool enforced)
    {
        Enforced = enforced;
        Tokens = new ServiceAccountTokens(engine);
        Rbac = new RbacAuthorizer(engine);
        OwnerReferences = new OwnerReferencesAdmission(engine.Registry, this);
    }

    public bool Enforced { get; }

    /// <summary>The administrator's bearer token (the sandbox's kubeconfig): <see cref="UserInfo.Admin"/>, a member of system:masters.</summary>
    public string AdminToken { get; } = "handoff-sandbox-admin-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public ServiceAccountTokens Tokens { get; }

    public RbacAuthorizer Rbac { get; }

    public OwnerReferencesAdmission OwnerReferences { get; }

    /// <summary>A bearer token's user for <paramref name="audiences"/> (default: the API server's own).</summary>
    public TokenAuthentication Authenticate(string token, IReadOnlyList<string>? audiences = null)
    {
        audiences = audiences is { Count: > 0 } ? audiences : ServiceAccountTokens.ApiAudiences;
        if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(token), System.Text.Encoding.UTF8.GetBytes(AdminToken)))
        {
            // A static token is not audience-scoped: it is valid for the API server only.
            var api = audiences.Where(ServiceAccountTokens.ApiAudiences.Contains).ToList();
            return api.Count > 0 ? new TokenAuthentication(UserInfo.Admin, api, null) : TokenAuthentication.Failed("token audiences do not include the API server's");
        }

        return Tokens.Authenticate(token, audiences) ?? TokenAuthentication.Failed("invalid bearer token");
    }

    /// <summary>
    /// The user of a request from its <c>Authorization</c> header; null (401) when enforced and there is no valid
    /// bearer token. Not enforced, a request without a valid token is the administrator's.
    /// </summary>
    public UserInfo? AuthenticateRequest(string? authorization)
    {
        var token = BearerToken(authorization);
        var user = token is null ? null : Authenticate(token).User;
        return user ?? (Enforced ? null : UserInfo.Admin);
    }

    /// <summary>Every decision made while enforced.</summary>
    public SandboxAuthorizationLog Log { get; } = new();

    /// <summary>
    /// RBAC when enforced (the decision is logged with <paramref name="source"/>: request, admission or review);
    /// otherwise everything is allowed (reason "", as kube-apiserver's AlwaysAllow).
    /// </summary>
    public AuthorizationDecision Authorize(RequestAttributes request, string source)
    {
        if (!Enforced)
        {
            return AuthorizationDecision.Allow("");
        }

        var decision = Rbac.Authorize(request);
        Log.Record(new SandboxAuthorization(
            request.User.Name, request.Verb, request.ApiGroup, request.ResourceWithSubresource, request.Namespace,
            request.IsResourceRequest ? "" : request.Path, decision.Allowed, source));
        return decision;
    }

    /// <summary>The token of <c>Authorization: Bearer TOKEN</c> (scheme case-insensitive); null when absent or empty.</summary>
    public static string? BearerToken(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return null;
        }

        var parts = authorization.Trim().Split(' ', 2, StringSplitOptions.TrimEntries);
        return parts.Length == 2 && parts[0].Equals("Bearer", StringComparison.OrdinalIgnoreCase) && parts[1].Length > 0 ? parts[1] : null;
    }

    public void Dispose()
    {
        Tokens.Dispose();
        Rbac.Dispose();
    }
}
