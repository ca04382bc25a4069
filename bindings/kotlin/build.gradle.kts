// Gradle build for users of the binding. NOT exercised in this repository:
// the machine that builds and tests mxreg has no usable Gradle, so the
// Makefile (mk/kotlin.mk) compiles with kotlinc instead. Versions below are
// what the binding is written against; adjust them to your project.
//
// JVM:      ./gradlew build   (set -Dmxreg.library.path=/path/to/libmxreg.so for the tests)
// Android:  see README.md ("Android"): depend on JNA's AAR there, not the jar.

plugins {
    kotlin("jvm") version "2.1.0"
    `java-library`
}

group = "org.mxreg"
version = "0.1.0"

repositories {
    mavenCentral()
}

kotlin {
    jvmToolchain(17)
    explicitApi()
    compilerOptions {
        jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_1_8)
        allWarningsAsErrors.set(true)
    }
}

java {
    targetCompatibility = JavaVersion.VERSION_1_8
}

dependencies {
    api("net.java.dev.jna:jna:5.13.0")
    // The suspending API (org.mxreg.coroutines); the blocking API does not need it.
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.8.0")

    testImplementation(kotlin("test"))
    testImplementation("org.junit.jupiter:junit-jupiter:5.9.2")
}

tasks.test {
    useJUnitPlatform()
    // The tests run against real Synapse servers (scripts/homeserver.py env).
    systemProperty("mxreg.repo", rootProject.file("../..").path)
    System.getProperty("mxreg.library.path")?.let { systemProperty("mxreg.library.path", it) }
}
