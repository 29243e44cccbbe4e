namespace Handoff.Sandbox.Auth;

/// <summary>An authorizer's answer and its reason (shown in SubjectAccessReview status and after a 403's message).</summary>
internal sealed record AuthorizationDecision(bool Allowed, string Reason)
{
    public static AuthorizationDecision Allow(string reason) => new(true, reason);

    public static AuthorizationDecision Deny(string reason) => new(false, reason);
}
