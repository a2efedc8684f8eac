using System.Management.Automation;
using DockerHostTools.Core.Firewalld;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Opens a port (or range) in a firewalld zone, at runtime and permanently, without a reload; does nothing when it is already open.</para>
/// </summary>
[Cmdlet(VerbsCommon.Add, "FirewalldPort", HelpUri = ProjectInfo.HelpBase + "Add-FirewalldPort.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FirewalldPortChange))]
public sealed class AddFirewalldPortCommand : FirewalldPortChangeCommand
{
    private protected override bool Add => true;
}
