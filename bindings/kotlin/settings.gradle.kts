// Not exercised in this repository (no Gradle here); see build.gradle.kts.
rootProject.name = "mxreg"
