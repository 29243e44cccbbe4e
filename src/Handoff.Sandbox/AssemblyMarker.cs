namespace Handoff.Sandbox;

internal static class AssemblyMarker
{
}
