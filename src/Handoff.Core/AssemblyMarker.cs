namespace Handoff.Core;

internal static class AssemblyMarker
{
}
