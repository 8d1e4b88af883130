package main

import (
	"fmt"
	"os"
)

type runCmd struct{}

func (r *runCmd) Run() error {
	m, err := loadModel("")
	if err != nil {
		return err
	}
	fmt.Printf("Built-in robot %q: %d bodies, %d joints, %d actuators, %.2f kg (nq %d, nv %d).\n",
		m.Name, len(m.Bodies)-1, len(m.Joints), m.Nu, m.TotalMass(), m.Nq, m.Nv)
	fmt.Println("The simulator arrives in the next step; until then `stride model info` prints the model.")
	fmt.Fprintln(os.Stderr, "stride run: no simulator yet")
	return nil
}
