import { SETTING_NAMES, flagOf, optionOf, type EnvironmentVariables, type SettingName, type Settings } from './config.js'

/**
 * The command line's flags and the programmatic API's options are the
 * environment variables under other names; both become an environment record
 * for loadConfig, so there is one parser and one set of error messages.
 */
function toEnvironment(values: Record<string, unknown>, keyOf: (name: SettingName) => string, base: EnvironmentVariables): EnvironmentVariables {
  const env: EnvironmentVariables = { ...base }
  for (const name of SETTING_NAMES) {
    const value = values[keyOf(name)]
    if (value !== undefined) env[name] = String(value)
  }
  return env
}

export function settingsToEnvironment(settings: Settings, base: EnvironmentVariables = {}): EnvironmentVariables {
  return toEnvironment(settings, optionOf, base)
}

export function flagsToEnvironment(flags: Record<string, string | boolean | undefined>, base: EnvironmentVariables = {}): EnvironmentVariables {
  return toEnvironment(flags, flagOf, base)
}
