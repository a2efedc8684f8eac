<#
.SYNOPSIS
    Writes the module's MAML help (DockerHostTools.dll-Help.xml) from one .psd1 per command in this folder.
.DESCRIPTION
    Syntax, parameter types, positions and pipeline input come from the built cmdlets themselves (Get-Command), so
    help never drifts from the code; the words (synopsis, description, parameters, examples, notes) come from
    <Command>.psd1. A command without a help file, or a parameter without a description, fails the build.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SourcePath,
    [Parameter(Mandatory)] [string] $OutFile
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$module = Import-Module $ModulePath -PassThru -Force
$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

$ns = @{ maml = 'http://schemas.microsoft.com/maml/2004/10'; command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'; dev = 'http://schemas.microsoft.com/maml/dev/2004/10' }
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
New-Item -ItemType Directory -Path (Split-Path $OutFile) -Force | Out-Null
$w = [System.Xml.XmlWriter]::Create($OutFile, $settings)

function Para([string] $text) {
    foreach ($p in ($text.Trim() -split "\r?\n\s*\r?\n")) {
        $w.WriteStartElement('maml', 'para', $ns.maml); $w.WriteString(($p -replace '\s*\r?\n\s*', ' ').Trim()); $w.WriteEndElement()
    }
}
function Desc([string] $text) { $w.WriteStartElement('maml', 'description', $ns.maml); Para $text; $w.WriteEndElement() }
function TypeName([type] $t) { if ($t.IsGenericType) { $t.Name -replace '`\d+$', '' } else { $t.FullName } }

$problems = [System.Collections.Generic.List[string]]::new()
$w.WriteStartDocument()
$w.WriteStartElement('helpItems', 'http://msh'); $w.WriteAttributeString('schema', 'maml')
foreach ($cmd in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $file = Join-Path $SourcePath "$($cmd.Name).psd1"
    if (-not (Test-Path $file)) { $problems.Add("$($cmd.Name): no help file $($cmd.Name).psd1"); continue }
    $h = Import-PowerShellDataFile $file
    foreach ($k in 'Synopsis', 'Description', 'Examples') { if (-not $h[$k]) { $problems.Add("$($cmd.Name): no $k") } }
    $params = $cmd.Parameters.Values | Where-Object { $_.Name -notin $common } | Sort-Object Name
    foreach ($p in $params) { if (-not $h['Parameters'] -or -not $h['Parameters'][$p.Name]) { $problems.Add("$($cmd.Name): parameter $($p.Name) has no description") } }

    $w.WriteStartElement('command', 'command', $ns.command)
    $w.WriteAttributeString('xmlns', 'maml', $null, $ns.maml); $w.WriteAttributeString('xmlns', 'command', $null, $ns.command); $w.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)
    $w.WriteStartElement('command', 'details', $ns.command)
    $w.WriteElementString('name', $ns.command, $cmd.Name)
    $w.WriteElementString('verb', $ns.command, $cmd.Verb)
    $w.WriteElementString('noun', $ns.command, $cmd.Noun)
    Desc $h['Synopsis']
    $w.WriteEndElement()
    Desc $h['Description']

    $w.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $cmd.ParameterSets) {
        $w.WriteStartElement('command', 'syntaxItem', $ns.command)
        $w.WriteElementString('name', $ns.maml, $cmd.Name)
        foreach ($sp in $set.Parameters | Where-Object { $_.Name -notin $common }) {
            $w.WriteStartElement('command', 'parameter', $ns.command)
            $w.WriteAttributeString('required', "$($sp.IsMandatory)".ToLower())
            $w.WriteAttributeString('position', $(if ($sp.Position -ge 0) { "$($sp.Position)" } else { 'named' }))
            $w.WriteElementString('name', $ns.maml, $sp.Name)
            if ($sp.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
                $w.WriteStartElement('command', 'parameterValue', $ns.command); $w.WriteAttributeString('required', 'true')
                $w.WriteString($sp.ParameterType.Name); $w.WriteEndElement()
            }
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($p in $params) {
        $attr = $p.ParameterSets.Values | Select-Object -First 1
        $pipe = @(); if ($p.ParameterSets.Values.ValueFromPipeline -contains $true) { $pipe += 'ByValue' }; if ($p.ParameterSets.Values.ValueFromPipelineByPropertyName -contains $true) { $pipe += 'ByPropertyName' }
        $w.WriteStartElement('command', 'parameter', $ns.command)
        $w.WriteAttributeString('required', "$($p.ParameterSets.Values.IsMandatory -contains $true)".ToLower())
        $w.WriteAttributeString('position', $(if ($attr.Position -ge 0) { "$($attr.Position)" } else { 'named' }))
        $w.WriteAttributeString('pipelineInput', $(if ($pipe) { "True ($($pipe -join ', '))" } else { 'False' }))
        $w.WriteAttributeString('globbing', 'false')
        $w.WriteElementString('name', $ns.maml, $p.Name)
        Desc ($(if ($h['Parameters']) { $h['Parameters'][$p.Name] }) ?? '')
        if ($p.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
            $w.WriteStartElement('command', 'parameterValue', $ns.command); $w.WriteAttributeString('required', 'true'); $w.WriteString($p.ParameterType.Name); $w.WriteEndElement()
        }
        $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('name', $ns.maml, (TypeName $p.ParameterType)); $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'inputTypes', $ns.command)
    foreach ($i in @($h['Inputs'] ?? 'None')) {
        $w.WriteStartElement('command', 'inputType', $ns.command); $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('name', $ns.maml, $i); $w.WriteEndElement(); $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteStartElement('command', 'returnValues', $ns.command)
    foreach ($o in $cmd.OutputType) {
        $w.WriteStartElement('command', 'returnValue', $ns.command); $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('name', $ns.maml, $o.Name); $w.WriteEndElement()
        if ($h['Outputs'] -and $h['Outputs'][$o.Name]) { Desc $h['Outputs'][$o.Name] }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    if ($h['Notes']) { $w.WriteStartElement('maml', 'alertSet', $ns.maml); $w.WriteStartElement('maml', 'alert', $ns.maml); Para $h['Notes']; $w.WriteEndElement(); $w.WriteEndElement() }

    $w.WriteStartElement('command', 'examples', $ns.command)
    $n = 0
    foreach ($ex in $h['Examples']) {
        $n++
        $w.WriteStartElement('command', 'example', $ns.command)
        $w.WriteElementString('title', $ns.maml, "-------------------------- Example $n --------------------------")
        $w.WriteElementString('code', $ns.dev, $ex["Code"].Trim())
        $w.WriteStartElement('dev', 'remarks', $ns.dev); Para $ex["Remarks"]; $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'relatedLinks', $ns.command)
    foreach ($l in @($h['RelatedLinks'])) {
        if (-not $l) { continue }
        $w.WriteStartElement('maml', 'navigationLink', $ns.maml); $w.WriteElementString('linkText', $ns.maml, $l); $w.WriteElementString('uri', $ns.maml, ''); $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndElement()
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Close()
if ($problems.Count) { $problems | ForEach-Object { Write-Error $_ -ErrorAction Continue }; exit 1 }
Write-Host "Help for $(@(Get-Command -Module $module.Name).Count) commands written to $OutFile"
